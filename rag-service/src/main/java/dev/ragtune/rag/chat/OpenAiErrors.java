package dev.ragtune.rag.chat;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.ragtune.rag.adapters.AdapterReferenceException;
import dev.ragtune.rag.generate.GenerationBusyException;
import dev.ragtune.rag.generate.PromptTooLongException;
import dev.ragtune.common.errors.ApiException;

/** OpenAI's error shape for {@code /v1/chat/completions} and {@code /v1/models}. */
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
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(body(e)).build();
    }

    /** The OpenAI error for an exception of the answer pipeline or an API error; null for internal errors. */
    public static OpenAiException from(Throwable e) {
        if (e instanceof OpenAiException o) {
            return o;
        }
        if (e instanceof AdapterReferenceException ref) {
            return ref.status() == 404
                    ? new OpenAiException(404, "invalid_request_error", "model_not_found", "model", ref.getMessage())
                    : new OpenAiException(400, "invalid_request_error", "invalid_model", "model", ref.getMessage());
        }
        if (e instanceof PromptTooLongException) {
            return new OpenAiException(400, "invalid_request_error", "context_length_exceeded", "messages", e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return OpenAiException.invalid(null, e.getMessage());
        }
        if (e instanceof GenerationBusyException) {
            return new OpenAiException(503, "server_error", "overloaded", null, e.getMessage());
        }
        if (e instanceof ApiException api) {
            return forStatus(api.status(), api.getMessage());
        }
        return null;
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
