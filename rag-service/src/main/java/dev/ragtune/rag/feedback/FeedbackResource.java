package dev.ragtune.rag.feedback;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;

/** {@code POST /v1/feedback}: rate an answer; approved or corrected answers become training records. */
@Path("/v1/feedback")
@RequiresRole(Role.QUERY)
public class FeedbackResource {

    @Inject
    FeedbackService feedback;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Feedback on an answer: up, or down with an optional correction")
    public Response submit(FeedbackRequest request) {
        return Response.status(201).entity(feedback.submit(request)).build();
    }
}
