package dev.ragtune.tuning.records;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.ragtune.common.errors.ApiException;
import dev.ragtune.tuning.security.RequiresRole;
import dev.ragtune.tuning.security.Role;

/** {@code GET /v1/records/outcomes?partition=&from=&to=}: what became of produced messages (see {@link RecordOutcomes}). */
@Path("/v1/records/outcomes")
@Produces(MediaType.APPLICATION_JSON)
public class RecordOutcomeResource {

    @Inject
    RecordOutcomes outcomes;

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "Messages [from, to) of one partition of the records topic: processed by the worker yet "
            + "(its group committed past them), and how many were stored as new revisions")
    public RecordOutcomes.Outcome outcome(@QueryParam("partition") Integer partition, @QueryParam("from") Long from,
                                          @QueryParam("to") Long to) {
        if (partition == null || from == null || to == null) {
            throw ApiException.badRequest("query parameters partition, from and to are required (offsets; to is exclusive)");
        }
        if (partition < 0 || from < 0 || to < from) {
            throw ApiException.badRequest("expected partition >= 0 and 0 <= from <= to, got partition=" + partition
                    + " from=" + from + " to=" + to);
        }
        try {
            return outcomes.outcome(partition, from, to);
        } catch (RecordOutcomes.KafkaUnavailableException e) {
            throw new ApiException(503, "unavailable", e.getMessage());
        }
    }
}
