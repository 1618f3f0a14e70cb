package dev.ragtune.tuning.records;

/** A rejected record could not be written to the DLQ; nothing of the batch is committed and it is retried. */
public class DeadLetterException extends RuntimeException {
    public DeadLetterException(String message, Throwable cause) {
        super(message, cause);
    }
}
