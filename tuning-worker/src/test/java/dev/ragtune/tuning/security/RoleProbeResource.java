package dev.ragtune.tuning.security;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.ragtune.service.security.Caller;

/**
 * Test-only endpoints (in src/test, so only in the test application) guarded by each role, to exercise the
 * real {@link dev.ragtune.service.security.ApiKeyFilter}'s 401/403 paths before the jobs endpoints exist.
 */
@Path("/v1/test-probe")
@Produces(MediaType.TEXT_PLAIN)
public class RoleProbeResource {

    @Inject
    Caller caller;

    @GET
    @RequiresRole(Role.READER)
    public String read() {
        return caller.actor();
    }

    @POST
    @Path("ops")
    @RequiresRole(Role.OPS)
    public String ops() {
        return caller.actor();
    }

    @POST
    @Path("unannotated")
    public String unannotated() {
        return caller.actor();
    }
}
