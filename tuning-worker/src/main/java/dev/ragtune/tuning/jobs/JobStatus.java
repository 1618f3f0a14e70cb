package dev.ragtune.tuning.jobs;

/** A job's life: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED (QUEUED → CANCELLED too). */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
