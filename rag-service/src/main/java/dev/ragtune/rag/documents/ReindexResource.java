package dev.ragtune.rag.documents;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;

@Path("/v1/admin/reindex")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "documents")
public class ReindexResource {

    @Inject
    DocumentStore store;

    @POST
    @RequiresRole(Role.INGEST)
    @Operation(summary = "Rebuild the Lucene index from PostgreSQL; searches see the old index until the new one is committed")
    public DocumentStore.ReindexResult reindex() {
        return store.reindex();
    }
}
