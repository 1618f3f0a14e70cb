package dev.ragtune.common.records;

import java.util.Objects;

/** Why a record was rejected: a stable {@link RejectCode} and a message naming what is wrong. */
public record RecordRejection(RejectCode code, String message) {
    public RecordRejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
