package dev.ragtune.retrieval.ingest;

import dev.ragtune.common.errors.ApiException;

/**
 * A document the service will not take, with the reason a caller can fix. Nothing has been stored or indexed when
 * this is thrown. An {@link ApiException} with the reason's status, so the REST layer renders it as any API error
 * (also when it arrives wrapped).
 */
public class DocumentRejectedException extends ApiException {

    /** Why, and the HTTP status and error code it becomes. */
    public enum Reason {
        /** 400: zero bytes, or no text in a JSON request. */
        EMPTY(400, "bad_request"),
        /** 413: larger than the configured limit. */
        TOO_LARGE(413, "payload_too_large"),
        /** 415: a type no parser here reads. */
        UNSUPPORTED_TYPE(415, "unsupported_media_type"),
        /** 422: the file claims a supported type but cannot be parsed (corrupt, encrypted). */
        UNREADABLE(422, "unprocessable"),
        /** 422: parsed, but there is no text in it (e.g. a scanned PDF without a text layer). */
        NO_TEXT(422, "unprocessable");

        private final int status;
        private final String error;

        Reason(int status, String error) {
            this.status = status;
            this.error = error;
        }
    }

    private final Reason reason;

    public DocumentRejectedException(Reason reason, String message) {
        super(reason.status, reason.error, message);
        this.reason = reason;
    }

    public DocumentRejectedException(Reason reason, String message, Throwable cause) {
        super(reason.status, reason.error, message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
