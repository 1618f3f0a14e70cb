package dev.ragtune.rag.ingest;

/**
 * A document the service will not take, with the reason a caller can fix. Nothing has been stored or indexed when
 * this is thrown.
 */
public class DocumentRejectedException extends RuntimeException {

    /** Why; the REST layer maps each to its status. */
    public enum Reason {
        /** 400: zero bytes, or no text in a JSON request. */
        EMPTY,
        /** 413: larger than the configured limit. */
        TOO_LARGE,
        /** 415: a type no parser here reads. */
        UNSUPPORTED_TYPE,
        /** 422: the file claims a supported type but cannot be parsed (corrupt, encrypted). */
        UNREADABLE,
        /** 422: parsed, but there is no text in it (e.g. a scanned PDF without a text layer). */
        NO_TEXT
    }

    private final Reason reason;

    public DocumentRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DocumentRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
