package dev.ragtune.rag.chat;

import dev.ragtune.common.errors.ApiException;
import dev.ragtune.rag.adapters.AdapterReferenceException;
import dev.ragtune.rag.answer.GenerationBusyException;
import dev.ragtune.rag.answer.PromptTooLongException;
import dev.ragtune.rag.openai.OpenAiErrors;
import dev.ragtune.rag.openai.OpenAiException;

/** The answer pipeline's exceptions as OpenAI errors (the chat API's counterpart of {@code AnswerErrors}). */
public final class ChatErrors {
    private ChatErrors() {
    }

    /** The OpenAI error for an exception of the answer pipeline or an API error; null for internal errors. */
    public static OpenAiException from(Throwable e) {
        if (e instanceof OpenAiException o) {
            return o;
        }
        if (e instanceof AdapterReferenceException ref) {
            return switch (ref.status()) {
                case 404 -> new OpenAiException(404, "invalid_request_error", "model_not_found", "model", ref.getMessage());
                case 409 -> new OpenAiException(409, "invalid_request_error", "model_archived", "model", ref.getMessage());
                case 503 -> new OpenAiException(503, "server_error", "model_unavailable", "model", ref.getMessage())
                        .retryAfter(ref.retryAfterSeconds());
                default -> new OpenAiException(400, "invalid_request_error", "invalid_model", "model", ref.getMessage());
            };
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
            return OpenAiErrors.forStatus(api.status(), api.getMessage());
        }
        return null;
    }
}
