package dev.ragtune.common.records;

/** The outcome of {@link RecordValidator#validate}: the parsed record, or why it was rejected. */
public sealed interface ValidationResult {

    record Valid(TrainingRecord record) implements ValidationResult {
    }

    record Invalid(RecordRejection rejection) implements ValidationResult {
    }

    static ValidationResult reject(RejectCode code, String message) {
        return new Invalid(new RecordRejection(code, message));
    }
}
