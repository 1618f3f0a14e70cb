package dev.ragtune.tuning.jobs;

/**
 * This worker no longer holds the job's lease (it expired and another worker took the job over):
 * the job is abandoned here without writing anything more, the new owner finishes it.
 */
public final class LeaseLostException extends RuntimeException {
    public LeaseLostException(String message) {
        super(message);
    }
}
