package dev.ragtune.tuning.records;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.ragtune.common.records.RecordValidator;
import dev.ragtune.common.records.RejectCode;
import dev.ragtune.common.records.ValidationResult;
import dev.ragtune.tuning.metrics.WorkerMetrics;

/**
 * Handles one polled batch: validates every record, sends the invalid ones to the DLQ and waits for the
 * broker's acknowledgements, then stores the valid ones in one database transaction. It throws if either
 * step fails, in which case nothing of the batch may be committed (the caller rewinds and retries; the
 * store is idempotent and DLQ delivery at-least-once, so a retry loses nothing and stores nothing twice).
 */
public class RecordBatchHandler {

    private static final int PARALLEL_FROM = 64;

    private final RecordValidator validator;
    private final DeadLetterPublisher deadLetters;
    private final RecordStore store;
    private final WorkerMetrics metrics;

    public RecordBatchHandler(RecordValidator validator, DeadLetterPublisher deadLetters, RecordStore store, WorkerMetrics metrics) {
        this.validator = validator;
        this.deadLetters = deadLetters;
        this.store = store;
        this.metrics = metrics;
    }

    public BatchResult handle(List<ConsumerRecord<byte[], byte[]>> batch) {
        metrics.consumed(batch.size());
        List<IncomingRecord> valid = new ArrayList<>(batch.size());
        List<DeadLetterPublisher.Rejected> rejected = new ArrayList<>();
        // validation (JSON, chat template, tokenizer) is CPU-bound and independent per record: spread it over the cores;
        // the results keep the batch's order
        IntStream indexes = IntStream.range(0, batch.size());
        List<ValidationResult> results = (batch.size() >= PARALLEL_FROM ? indexes.parallel() : indexes)
                .mapToObj(i -> validator.validate(batch.get(i).key(), batch.get(i).value())).toList();
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = batch.get(i);
            switch (results.get(i)) {
                case ValidationResult.Valid v -> valid.add(IncomingRecord.of(v.record(), r.topic(), r.partition(), r.offset()));
                case ValidationResult.Invalid inv -> rejected.add(new DeadLetterPublisher.Rejected(r, inv.rejection()));
            }
        }
        try {
            deadLetters.publish(rejected);
        } catch (RuntimeException e) {
            metrics.batchFailed("dlq");
            throw e;
        }
        StoreOutcome outcome;
        long t0 = System.nanoTime();
        try {
            outcome = store.store(valid);
        } catch (RuntimeException e) {
            metrics.batchFailed("store");
            throw e;
        }
        metrics.storeBatchTook(Duration.ofNanos(System.nanoTime() - t0));
        Map<RejectCode, Integer> byCode = new EnumMap<>(RejectCode.class);
        for (DeadLetterPublisher.Rejected r : rejected) {
            byCode.merge(r.rejection().code(), 1, Integer::sum);
        }
        byCode.forEach(metrics::rejected);
        metrics.stored(outcome.stored());
        metrics.duplicates(outcome.duplicates() + outcome.replayed());
        return new BatchResult(batch.size(), rejected.size(), outcome);
    }
}
