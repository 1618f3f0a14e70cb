package dev.ragtune.rag.adapters;

/** A reference to an adapter the caller got wrong: malformed (400) or unknown (404). */
public class AdapterReferenceException extends RuntimeException {
    private final int status;

    public AdapterReferenceException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static AdapterReferenceException badRequest(String message) {
        return new AdapterReferenceException(400, message);
    }

    public static AdapterReferenceException notFound(String message) {
        return new AdapterReferenceException(404, message);
    }
}
