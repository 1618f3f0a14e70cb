package dev.ragtune.rag.errors;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.errors.ErrorMappers;

/**
 * A 503 the client should retry after {@link #retryAfterSeconds()} (the model registry cannot be reached): the
 * service's {@code {"error", "message"}} body plus a {@code Retry-After} header.
 */
public class RetryLaterException extends ApiException {
    private final int retryAfterSeconds;

    public RetryLaterException(String message, int retryAfterSeconds) {
        super(503, "unavailable", message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Renders it (closer than {@code ErrorMappers}' {@code ApiException} mapper, so this one is chosen). */
    public static final class Mapper {
        @ServerExceptionMapper
        public Response map(RetryLaterException e) {
            return Response.fromResponse(ErrorMappers.response(e.status(), e.error(), e.getMessage()))
                    .header("Retry-After", Integer.toString(e.retryAfterSeconds())).build();
        }
    }
}
