package dev.ragtune.cli.records;

import dev.ragtune.cli.client.CliException;
import dev.ragtune.cli.client.KafkaAccess;
import dev.ragtune.cli.client.Service;
import dev.ragtune.cli.client.WorkerClient;
import dev.ragtune.cli.console.ProgressBar;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Produces prepared records to {@code training-records} (key = id; headers {@code ragtune.push.id} and
 * {@code ragtune.push.source} = {@code file:line}), then reads their outcome back: the worker tells whether it
 * processed each produced offset range and how many records it stored; the records it rejected are those of this
 * push on the DLQ (found by the push id header, which the DLQ keeps).
 */
public final class RecordPusher {
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaAccess kafka;
    private final WorkerClient worker;
    private final PrintWriter out;

    public RecordPusher(KafkaAccess kafka, WorkerClient worker, PrintWriter out) {
        this.kafka = kafka;
        this.worker = worker;
        this.out = out;
    }

    /** Where each record landed. */
    private record Sent(PreparedRecord record, RecordMetadata at) {
    }

    public PushReport push(List<PreparedRecord> records, String sourceName, Duration wait) {
        kafka.requireTopic(KafkaAccess.TRAINING_RECORDS);
        Map<TopicPartition, Long> dlqStart = kafka.endOffsets(KafkaAccess.DLQ);
        String pushId = UUID.randomUUID().toString();
        List<Sent> sent = produce(records, sourceName, pushId);
        if (wait.isZero()) {
            return new PushReport(pushId, sent.size(), false, 0, 0, List.of());
        }
        Map<Integer, long[]> ranges = new TreeMap<>();
        for (Sent s : sent) {
            ranges.merge(s.at().partition(), new long[] {s.at().offset(), s.at().offset() + 1},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        Map<Integer, Long> stored = new HashMap<>();
        Map<Integer, Long> processed = new HashMap<>();
        boolean done = awaitWorker(ranges, sent, stored, processed, wait);
        long processedCount = countProcessed(sent, processed);
        List<PushReport.Rejection> rejected = rejections(sent, pushId, dlqStart);
        return new PushReport(pushId, sent.size(), done, processedCount,
                stored.values().stream().mapToLong(Long::longValue).sum(), rejected);
    }

    private List<Sent> produce(List<PreparedRecord> records, String sourceName, String pushId) {
        ProgressBar bar = ProgressBar.of(out, "sent  ");
        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (PreparedRecord r : records) {
                ProducerRecord<byte[], byte[]> m = new ProducerRecord<>(KafkaAccess.TRAINING_RECORDS,
                        r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value());
                m.headers().add(DlqEntry.PUSH_ID, pushId.getBytes(StandardCharsets.UTF_8));
                m.headers().add(DlqEntry.PUSH_SOURCE, (sourceName + ":" + r.line()).getBytes(StandardCharsets.UTF_8));
                futures.add(producer.send(m));
            }
            producer.flush();
            List<Sent> sent = new ArrayList<>(records.size());
            for (int i = 0; i < futures.size(); i++) {
                sent.add(new Sent(records.get(i), futures.get(i).get(60, TimeUnit.SECONDS)));
                bar.update(i + 1, records.size(), "acknowledged by Kafka");
            }
            if (records.isEmpty()) {
                bar.update(0, 0, "nothing to send");
            }
            return sent;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted while sending");
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw CliException.unavailable(Service.KAFKA, kafka.bootstrap(), String.valueOf(cause.getMessage()));
        } finally {
            bar.finish();
        }
    }

    private boolean awaitWorker(Map<Integer, long[]> ranges, List<Sent> sent, Map<Integer, Long> stored,
                                Map<Integer, Long> processed, Duration wait) {
        ProgressBar bar = ProgressBar.of(out, "worker");
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                boolean all = true;
                for (var e : ranges.entrySet()) {
                    long[] r = e.getValue();
                    if (processed.getOrDefault(e.getKey(), r[0]) >= r[1]) {
                        continue;
                    }
                    var o = worker.outcome(e.getKey(), r[0], r[1]);
                    processed.put(e.getKey(), Math.min(o.committedOffset(), r[1]));
                    stored.put(e.getKey(), o.stored());
                    all &= o.processed();
                }
                long n = countProcessed(sent, processed);
                bar.update(n, sent.size(), "processed by the tuning-worker");
                if (all) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            bar.finish();
        }
    }

    private static long countProcessed(List<Sent> sent, Map<Integer, Long> processed) {
        return sent.stream().filter(s -> s.at().offset() < processed.getOrDefault(s.at().partition(), 0L)).count();
    }

    private List<PushReport.Rejection> rejections(List<Sent> sent, String pushId, Map<TopicPartition, Long> dlqStart) {
        Map<String, Integer> lineAt = new HashMap<>();
        for (Sent s : sent) {
            lineAt.put(s.at().partition() + "/" + s.at().offset(), s.record().line());
        }
        Map<String, PushReport.Rejection> out = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.read(KafkaAccess.DLQ, dlqStart, -1)) {
            DlqEntry e = DlqEntry.of(r);
            String at = e.sourcePartition() + "/" + e.sourceOffset();
            if (pushId.equals(e.pushId()) && lineAt.containsKey(at)) {
                out.putIfAbsent(at, new PushReport.Rejection(lineAt.get(at), e)); // a retried DLQ batch may repeat a record
            }
        }
        List<PushReport.Rejection> list = new ArrayList<>(out.values());
        list.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return list;
    }
}
