package dev.ragtune.tuning.jobs;

import java.util.UUID;

/** A job for this adapter is already queued or running (at most one per adapter). */
public final class ActiveJobExistsException extends RuntimeException {
    private final UUID activeJob;

    public ActiveJobExistsException(String adapter, UUID activeJob, JobStatus status) {
        super("adapter " + adapter + " already has job " + activeJob + " " + status);
        this.activeJob = activeJob;
    }

    public UUID activeJob() {
        return activeJob;
    }
}
