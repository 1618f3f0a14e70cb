package dev.ragtune.tuning.datasets;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.ragtune.tuning.security.RequiresRole;
import dev.ragtune.tuning.security.Role;

@Path("/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    @Inject
    DatasetService datasets;

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "Per adapter: stored records (latest revisions), train/eval split, new since the last job")
    public List<DatasetSummary> list() {
        return datasets.summaries();
    }
}
