package dev.ragtune.rag.openai;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * OpenAI's error shape for {@code /v1/chat/completions} and {@code /v1/models} ({@link OpenAiPaths}), used by the
 * chat endpoints and by the API-key check. Which exception becomes which OpenAI error is the chat package's
 * {@code ChatErrors}.
 */
public final class OpenAiErrors {

    /** The OpenAI error body. */
    public static Map<String, Object> body(OpenAiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("code", e.code());
        error.put("param", e.param());
        return Map.of("error", error);
    }

    public static Response response(OpenAiException e) {
        Response.ResponseBuilder b = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(body(e));
        if (e.retryAfterSeconds() != null) {
            b.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        return b.build();
    }

    /** OpenAI's type and code for an HTTP status. */
    public static OpenAiException forStatus(int status, String message) {
        return switch (status) {
            case 401 -> new OpenAiException(401, "authentication_error", "invalid_api_key", null, message);
            case 403 -> new OpenAiException(403, "permission_error", "insufficient_permissions", null, message);
            case 404 -> new OpenAiException(404, "invalid_request_error", "not_found", null, message);
            case 503 -> new OpenAiException(503, "server_error", "unavailable", null, message);
            default -> status >= 500 ? new OpenAiException(status, "server_error", "internal_error", null, message)
                    : new OpenAiException(status, "invalid_request_error", "invalid_request", null, message);
        };
    }

    @ServerExceptionMapper
    public Response map(OpenAiException e) {
        return response(e);
    }
}
