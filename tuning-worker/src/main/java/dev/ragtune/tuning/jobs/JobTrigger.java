package dev.ragtune.tuning.jobs;

/** Why a job was created. */
public enum JobTrigger {
    /** {@code POST /v1/jobs}. */
    MANUAL,
    /** at least {@code min-new-records} records arrived since the last job. */
    NEW_RECORDS,
    /** {@code interval} passed since the last job and at least one record arrived. */
    INTERVAL
}
