package dev.ragtune.rag.answer;

import dev.ragtune.rag.adapters.AdapterReferenceException;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.rag.errors.RetryLaterException;

/** Turns the answer pipeline's exceptions into the service's API errors (status and a message naming the cause). */
public final class AnswerErrors {
    private AnswerErrors() {
    }

    /** 503: no model is configured, so nothing can be answered (retrieval still works). */
    public static ApiException noModel() {
        return new ApiException(503, "unavailable", "no model is configured: set ragtune.rag.model.dir (RAGTUNE_MODEL_DIR)");
    }

    /** The API error for {@code e}, or null when it is not one a caller caused (an internal error). */
    public static ApiException toApi(Throwable e) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof AdapterReferenceException ref) {
            return switch (ref.status()) {
                case 404 -> ApiException.notFound(ref.getMessage());
                case 409 -> ApiException.conflict(ref.getMessage());
                case 503 -> ref.retryAfterSeconds() != null ? new RetryLaterException(ref.getMessage(), ref.retryAfterSeconds())
                        : new ApiException(503, "unavailable", ref.getMessage());
                default -> ApiException.badRequest(ref.getMessage());
            };
        }
        if (e instanceof PromptTooLongException || e instanceof IllegalArgumentException) {
            return ApiException.badRequest(e.getMessage());
        }
        if (e instanceof GenerationBusyException) {
            return new ApiException(503, "unavailable", e.getMessage());
        }
        return null;
    }
}
