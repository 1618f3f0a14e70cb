package dev.ragtune.rag.documents;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.rag.errors.Checks;
import dev.ragtune.service.errors.Inputs;
import dev.ragtune.retrieval.ingest.DocumentParser;
import dev.ragtune.retrieval.ingest.ParsedDocument;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.security.Caller;
import io.quarkus.narayana.jta.QuarkusTransaction;

@Path("/v1/documents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "documents")
@RequiresRole(Role.INGEST)
public class DocumentResource {

    /** Body of the JSON form of {@code POST /v1/documents}. */
    public record IngestText(String id, String title, String text, JsonNode metadata) {
    }

    /** What an ingestion did: {@code changed: false} when the same content was already stored under the id. */
    public record IngestView(String id, String title, String contentType, String contentHash, int chunks, int revision, boolean created,
                             boolean changed) {
    }

    public record DocumentView(String id, String title, String contentType, String sourceName, String contentHash,
                               Map<String, String> metadata, int chunkCount, int textLength, int revision, String createdBy,
                               Instant createdAt, Instant updatedAt) {
    }

    public record ChunkView(String chunkId, int ordinal, int start, int end, String headingPath, String language, int tokens, String text) {
    }

    public record DocumentDetail(DocumentView document, List<ChunkView> chunks) {
    }

    public record Page(List<DocumentView> items, int page, int size, long total) {
    }

    /** Largest {@code ?page=}: page × size stays an int offset. */
    public static final int MAX_PAGE = 1_000_000;

    @Inject
    DocumentStore store;

    @Inject
    DocumentParser parser;

    @Inject
    EntityManager em;

    @Inject
    Caller caller;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ingest text {id?, title?, text, metadata?}; the same id again replaces the document")
    public Response ingestText(IngestText req) {
        if (req == null) {
            throw ApiException.badRequest("request body is required: {id?, title?, text, metadata?}");
        }
        String id = Checks.documentId(req.id());
        String title = Checks.title(req.title());
        Map<String, String> metadata = Checks.metadata(req.metadata(), "metadata");
        ParsedDocument parsed = parser.plainText(req.text());
        return result(store.ingest(id, title, metadata, parsed, null, caller.actor()));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Ingest a file (part 'file'; optional parts 'id', 'title', 'metadata' as a JSON object): text, Markdown, HTML, PDF, DOCX")
    public Response ingestFile(@RestForm("file") FileUpload file, @RestForm("id") String id, @RestForm("title") String title,
                               @RestForm("metadata") String metadata) {
        if (file == null) {
            throw ApiException.badRequest("multipart part 'file' is required (send it with a filename)");
        }
        String docId = Checks.documentId(id);
        String docTitle = Checks.title(title);
        Map<String, String> meta = Checks.metadata(metadata, json, "metadata");
        String name = file.fileName();
        parser.checkSize(name, file.size());
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file.uploadedFile())) {
            bytes = parser.readLimited(in, name);
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read part 'file'");
        }
        ParsedDocument parsed = parser.parse(bytes, name, file.contentType());
        if (Inputs.hasNul(parsed.text())) {
            throw ApiException.badRequest("file: its text contains the NUL character (U+0000); send text without it");
        }
        Inputs.text(name, 1000, "file name");
        return result(store.ingest(docId, docTitle, meta, parsed, name, caller.actor()));
    }

    private static Response result(DocumentStore.IngestResult r) {
        DocumentRecord d = r.document();
        IngestView view = new IngestView(d.id, d.title, d.contentType, d.contentHash, d.chunkCount, d.revision, r.created(), r.changed());
        return Response.status(r.created() ? 201 : 200).entity(view).build();
    }

    @GET
    @Operation(summary = "Documents, most recently changed first: ?page= (0.." + MAX_PAGE + ") &size= (1..500, default 20)")
    public Page list(@QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        int p = Inputs.range(page, 0, 0, MAX_PAGE, "page");
        int s = Inputs.range(size, 20, 1, 500, "size");
        return QuarkusTransaction.requiringNew().call(() -> {
            long total = em.createQuery("select count(d) from DocumentRecord d", Long.class).getSingleResult();
            List<DocumentView> items = em.createQuery("from DocumentRecord order by updatedAt desc, id", DocumentRecord.class)
                    .setFirstResult(p * s).setMaxResults(s).getResultList().stream().map(DocumentResource::view).toList();
            return new Page(items, p, s, total);
        });
    }

    @GET
    @Path("{id: .+}")
    @Operation(summary = "A document with its chunks (positions, heading paths, languages, texts)")
    public DocumentDetail get(@PathParam("id") String id) {
        Checks.existingDocumentId(id);
        return QuarkusTransaction.requiringNew().call(() -> {
            DocumentRecord d = em.find(DocumentRecord.class, id);
            if (d == null) {
                throw ApiException.notFound("document '" + Checks.abbreviate(id) + "' not found");
            }
            List<ChunkView> chunks = em.createQuery("from ChunkRecord where documentId = :d order by ordinal", ChunkRecord.class)
                    .setParameter("d", id).getResultList().stream()
                    .map(c -> new ChunkView(c.id, c.ordinal, c.startOffset, c.endOffset, c.headingPath, c.language, c.tokenCount, c.text))
                    .toList();
            return new DocumentDetail(view(d), chunks);
        });
    }

    @DELETE
    @Path("{id: .+}")
    @Operation(summary = "Delete a document and its chunks (database and index)")
    public Response delete(@PathParam("id") String id) {
        Checks.existingDocumentId(id);
        if (!store.delete(id)) {
            throw ApiException.notFound("document '" + Checks.abbreviate(id) + "' not found");
        }
        return Response.noContent().build();
    }

    static DocumentView view(DocumentRecord d) {
        return new DocumentView(d.id, d.title, d.contentType, d.sourceName, d.contentHash, DocumentStore.metadata(d), d.chunkCount,
                d.text.length(), d.revision, d.createdBy, d.createdAt, d.updatedAt);
    }
}
