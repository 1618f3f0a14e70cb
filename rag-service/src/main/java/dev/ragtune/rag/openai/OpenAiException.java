package dev.ragtune.rag.openai;

/**
 * An error of the OpenAI-compatible endpoints, rendered in OpenAI's shape
 * {@code {"error": {"message", "type", "code", "param"}}}.
 */
public class OpenAiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private Integer retryAfterSeconds;

    public OpenAiException(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", "invalid_request", param, message);
    }

    /** Adds a {@code Retry-After} header (seconds) to the response; null: none. */
    public OpenAiException retryAfter(Integer seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }
}
