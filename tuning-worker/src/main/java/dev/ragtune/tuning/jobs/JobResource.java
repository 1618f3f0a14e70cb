package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.records.AdapterNames;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.tuning.security.RequiresRole;
import dev.ragtune.tuning.security.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Training jobs: list, show, start by hand, cancel. */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    @Inject
    JobService jobs;

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "Jobs, newest first; optional filters adapter and status, limit (default 50, at most 500)")
    public List<JobView> list(@QueryParam("adapter") String adapter, @QueryParam("status") String status,
                              @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw ApiException.badRequest("limit must be between 1 and 500, got " + limit);
        }
        return jobs.list(adapter, status == null ? null : parseStatus(status), limit).stream().map(JobView::of).toList();
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.READER)
    @Operation(summary = "One job: status, progress, loss curve, metrics, the registry version it produced, its error")
    public JobView get(@PathParam("id") String id) {
        return JobView.of(jobs.find(parseId(id)).orElseThrow(() -> ApiException.notFound("job " + id + " does not exist")));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresRole(Role.OPS)
    @Operation(summary = "Start a job by hand: {adapter, fromScratch?, hyperparameters?}; 202 with the queued job, 409 if one is active")
    public Response trigger(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("expected a JSON object {\"adapter\": \"…\"}");
        }
        JsonNode adapter = body.get("adapter");
        if (adapter == null || !adapter.isTextual() || !AdapterNames.isValid(adapter.asText())) {
            throw ApiException.badRequest("adapter must be a name of " + AdapterNames.RULE + ", got " + adapter);
        }
        ObjectNode overrides = ((ObjectNode) body).deepCopy();
        overrides.remove("adapter");
        Job job;
        try {
            job = jobs.trigger(adapter.asText(), overrides);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (ActiveJobExistsException e) {
            throw ApiException.conflict(e.getMessage());
        }
        return Response.accepted(JobView.of(job)).location(URI.create("/v1/jobs/" + job.id())).build();
    }

    @POST
    @Path("/{id}/cancel")
    @RequiresRole(Role.OPS)
    @Operation(summary = "Cancel a job: a queued one at once, a running one at its next training step or phase; 409 if it already ended")
    public Response cancel(@PathParam("id") String id) {
        Job job;
        try {
            job = jobs.cancel(parseId(id)).orElseThrow(() -> ApiException.notFound("job " + id + " does not exist"));
        } catch (IllegalStateException e) {
            throw ApiException.conflict(e.getMessage());
        }
        return Response.accepted(JobView.of(job)).build();
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("job " + id + " does not exist (job ids are UUIDs)");
        }
    }

    private static JobStatus parseStatus(String s) {
        try {
            return JobStatus.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("status must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED; got " + s);
        }
    }
}
