package dev.ragtune.service.errors;

import dev.ragtune.common.errors.ApiException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Maps every exception to {@link ErrorBody}, in each service that depends on this module. A service adds mappers
 * of its own for more specific exception types (RESTEasy Reactive picks the closest type).
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response response(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(error, message)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return response(e.status(), e.error(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return response(400, "bad_request", "request body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException jpe) {
            return json(jpe);
        }
        String message = e.getMessage();
        if (status == 404) {
            message = "no such resource: " + (message == null ? "" : message);
        } else if (status == 400 && cause != null && cause.getMessage() != null) {
            message = "bad request: " + cause.getMessage();
        }
        return response(status, codeFor(status), message == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : message);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api(api);
            }
        }
        LOG.error("unexpected error", e);
        return response(500, "internal", "internal error: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 416 -> "range_not_satisfiable";
            case 422 -> "unprocessable";
            default -> status >= 500 ? "internal" : "error";
        };
    }
}
