package dev.ragtune.tuning.jobs;

/** Thrown inside a running job (e.g. by the training progress listener) once a cancel was requested. */
public final class JobCancelledException extends RuntimeException {
    public JobCancelledException(String message) {
        super(message);
    }
}
