package dev.ragtune.rag.adapters;

/**
 * A reference to an adapter that cannot be served, with the status the client gets: malformed (400), unknown adapter,
 * alias or version (404), an archived version (409), the registry unreachable (503, with {@link #retryAfterSeconds()})
 * or no room / a version that fails to load (503). The message names the adapter.
 */
public class AdapterReferenceException extends RuntimeException {
    private final int status;
    private final Integer retryAfterSeconds;

    public AdapterReferenceException(int status, String message) {
        this(status, message, null, null);
    }

    public AdapterReferenceException(int status, String message, Integer retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    /** For a 503 the client may retry: the {@code Retry-After} in seconds; null otherwise. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static AdapterReferenceException badRequest(String message) {
        return new AdapterReferenceException(400, message);
    }

    public static AdapterReferenceException notFound(String message) {
        return new AdapterReferenceException(404, message);
    }

    public static AdapterReferenceException conflict(String message) {
        return new AdapterReferenceException(409, message);
    }

    /** The registry cannot be reached: 503 with {@code Retry-After}. */
    public static AdapterReferenceException registryUnavailable(String message, int retryAfterSeconds, Throwable cause) {
        return new AdapterReferenceException(503, message, Math.max(1, retryAfterSeconds), cause);
    }
}
