package dev.ragtune.tuning.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When an adapter gets a new job by itself: at least {@code minNewRecords} records arrived since
 * the last job's snapshot, or {@code interval} passed since {@code since} (the last job's creation,
 * or the arrival of the oldest waiting record when there was no job yet) and at least one record
 * arrived. Manual triggers bypass this.
 */
public record TriggerPolicy(int minNewRecords, Duration interval) {
    public TriggerPolicy {
        if (minNewRecords < 1) {
            throw new IllegalArgumentException("min-new-records must be at least 1, got " + minNewRecords);
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
    }

    /**
     * @param newRecords records stored after the last job's snapshot
     * @param since      the last job's creation time, or the oldest waiting record's arrival; null = unknown (counts as long ago)
     */
    public Optional<JobTrigger> decide(long newRecords, Instant since, Instant now) {
        if (newRecords >= minNewRecords) {
            return Optional.of(JobTrigger.NEW_RECORDS);
        }
        if (newRecords >= 1 && (since == null || !now.isBefore(since.plus(interval)))) {
            return Optional.of(JobTrigger.INTERVAL);
        }
        return Optional.empty();
    }
}
