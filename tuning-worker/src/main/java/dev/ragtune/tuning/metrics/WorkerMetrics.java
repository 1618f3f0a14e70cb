package dev.ragtune.tuning.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;

import dev.ragtune.common.records.RejectCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The records pipeline's Prometheus metrics:
 * <ul>
 *   <li>{@code ragtune_worker_records_consumed_total} — records read from Kafka (each delivery, replays included);</li>
 *   <li>{@code ragtune_worker_records_stored_total} — revisions written to the database;</li>
 *   <li>{@code ragtune_worker_records_duplicate_total} — valid records not stored because the same content or the same
 *       Kafka message was already stored;</li>
 *   <li>{@code ragtune_worker_records_rejected_total{code}} — records sent to the DLQ, by {@link RejectCode};</li>
 *   <li>{@code ragtune_worker_consumer_lag{topic,partition}} and {@code ragtune_worker_consumer_total_lag} — records
 *       behind the end of each assigned partition, as of the last poll;</li>
 *   <li>{@code ragtune_worker_store_batch_seconds} — duration of each database transaction storing a batch;</li>
 *   <li>{@code ragtune_worker_batch_failures_total{stage}} — batches retried because the DLQ ({@code dlq}) or the
 *       database ({@code store}) failed.</li>
 * </ul>
 */
@ApplicationScoped
public class WorkerMetrics {

    private final MeterRegistry registry;
    private final Counter consumed;
    private final Counter stored;
    private final Counter duplicates;
    private final Timer storeBatch;
    private final Map<RejectCode, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<TopicPartition, AtomicLong> lag = new ConcurrentHashMap<>();

    @Inject
    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        consumed = Counter.builder("ragtune.worker.records.consumed").description("records read from Kafka").register(registry);
        stored = Counter.builder("ragtune.worker.records.stored").description("record revisions stored").register(registry);
        duplicates = Counter.builder("ragtune.worker.records.duplicate")
                .description("valid records already stored (same content, or a replayed Kafka message)").register(registry);
        storeBatch = Timer.builder("ragtune.worker.store.batch").description("database transaction storing one batch")
                .publishPercentileHistogram(false).register(registry);
        for (RejectCode c : RejectCode.values()) {
            rejected(c);
        }
        Gauge.builder("ragtune.worker.consumer.total.lag", lag, m -> m.values().stream().mapToLong(AtomicLong::get).sum())
                .description("records behind the end of the assigned partitions").register(registry);
    }

    public void consumed(int n) {
        consumed.increment(n);
    }

    public void stored(int n) {
        stored.increment(n);
    }

    public void duplicates(int n) {
        duplicates.increment(n);
    }

    public void rejected(RejectCode code, int n) {
        rejected(code).increment(n);
    }

    private Counter rejected(RejectCode code) {
        return rejected.computeIfAbsent(code, c -> Counter.builder("ragtune.worker.records.rejected").tag("code", c.name())
                .description("records sent to the DLQ").register(registry));
    }

    public void batchFailed(String stage) {
        failures.computeIfAbsent(stage, s -> Counter.builder("ragtune.worker.batch.failures").tag("stage", s)
                .description("batches retried after a failure").register(registry)).increment();
    }

    public void storeBatchTook(Duration d) {
        storeBatch.record(d);
    }

    /** The lag of one assigned partition, as of the last poll. */
    public void lag(TopicPartition tp, long records) {
        lag.computeIfAbsent(tp, p -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("ragtune.worker.consumer.lag", v, AtomicLong::get).tag("topic", p.topic())
                    .tag("partition", Integer.toString(p.partition())).description("records behind the end of the partition")
                    .register(registry);
            return v;
        }).set(records);
    }

    /** A partition no longer assigned to this instance: its lag is someone else's. */
    public void unassigned(TopicPartition tp) {
        AtomicLong v = lag.get(tp);
        if (v != null) {
            v.set(0);
        }
    }
}
