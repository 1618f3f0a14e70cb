package dev.ragtune.tuning.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates the automatic triggers ({@link TriggerPolicy}) for every adapter that has records and
 * queues a job where one fires. Safe to run on every replica at once: the database admits one
 * queued-or-running job per adapter, so concurrent evaluations queue at most one.
 */
public final class JobTriggers {
    private static final Logger log = LoggerFactory.getLogger(JobTriggers.class);
    private final JobStore store;
    private final RecordSource records;
    private final TriggerPolicy policy;

    public JobTriggers(JobStore store, RecordSource records, TriggerPolicy policy) {
        this.store = store;
        this.records = records;
        this.policy = policy;
    }

    /** @return the jobs queued by this evaluation */
    public List<Job> evaluate(Instant now) {
        List<Job> queued = new ArrayList<>();
        for (String adapter : records.adapters()) {
            if (store.activeJob(adapter).isPresent()) {
                continue;
            }
            JobStore.Watermark mark = store.watermark(adapter);
            long after = mark.lastSnapshotMaxSeq() == null ? 0 : mark.lastSnapshotMaxSeq();
            long fresh = records.countAfter(adapter, after);
            Instant since = mark.lastJobCreatedAt() != null ? mark.lastJobCreatedAt() : records.oldestAfter(adapter, after);
            Optional<JobTrigger> trigger = policy.decide(fresh, since, now);
            if (trigger.isPresent()) {
                Optional<Job> job = store.createIfNoneActive(adapter, trigger.get(), null);
                job.ifPresent(j -> {
                    log.info("queued job {} for {}: {} ({} new records since seq {})", j.id(), adapter, trigger.get(), fresh, after);
                    queued.add(j);
                });
            }
        }
        return queued;
    }
}
