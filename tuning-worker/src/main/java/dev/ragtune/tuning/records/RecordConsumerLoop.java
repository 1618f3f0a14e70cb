package dev.ragtune.tuning.records;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import dev.ragtune.tuning.metrics.WorkerMetrics;

/**
 * The records consumer: one thread that polls a batch, hands it to the {@link RecordBatchHandler} (validate,
 * DLQ with acknowledgements, one database transaction) and only then commits the batch's offsets
 * ({@code enable.auto.commit=false}). If the handler fails nothing is committed: the consumer seeks back to
 * the batch's first offsets and retries after a back-off (doubling up to {@code maxBackoff}), so nothing is
 * lost. If the process dies after the database commit but before the offset commit, the next owner of the
 * partitions reads the batch again and the idempotent {@link RecordStore} stores nothing twice.
 *
 * <p>Batches are handled synchronously between polls, so a rebalance (which runs inside {@code poll}) never
 * interrupts one: when partitions are revoked, stored-but-uncommitted offsets (an offset commit that failed)
 * are committed for them first, or left to the idempotent store when that fails too.
 */
public class RecordConsumerLoop implements Runnable {

    /** Commits offsets; {@link #SYNC} in production, a test may interpose to simulate a crash at this point. */
    @FunctionalInterface
    public interface OffsetCommitter {
        void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets);
    }

    public static final OffsetCommitter SYNC = Consumer::commitSync;

    private static final Logger LOG = Logger.getLogger(RecordConsumerLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordBatchHandler handler;
    private final WorkerMetrics metrics;
    private final Duration pollTimeout;
    private final Duration maxBackoff;
    private final OffsetCommitter committer;
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong batches = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean halted;
    private volatile boolean running;
    private volatile String lastError;
    private volatile String lastErrorWhat;

    private volatile Instant lastErrorAt;

    public RecordConsumerLoop(Consumer<byte[], byte[]> consumer, String topic, RecordBatchHandler handler, WorkerMetrics metrics,
                              Duration pollTimeout, Duration maxBackoff, OffsetCommitter committer) {
        this.consumer = consumer;
        this.topic = topic;
        this.handler = handler;
        this.metrics = metrics;
        this.pollTimeout = pollTimeout;
        this.maxBackoff = maxBackoff;
        this.committer = committer;
    }

    @Override
    public void run() {
        running = true;
        long backoffMs = 0;
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> polled;
                try {
                    polled = consumer.poll(pollTimeout);
                } catch (WakeupException e) {
                    continue;
                } catch (RuntimeException e) {
                    failed("polling " + topic + " failed", e);
                    backoffMs = backOff(backoffMs);
                    continue;
                }
                updateLag();
                if (polled.isEmpty()) {
                    commitPending();
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(polled.count());
                polled.forEach(batch::add);
                try {
                    handler.handle(batch);
                } catch (RuntimeException e) {
                    if (halted) {
                        break;
                    }
                    failed("a batch of " + batch.size() + " records failed and will be retried", e);
                    rewind(polled);
                    backoffMs = backOff(backoffMs);
                    continue;
                }
                backoffMs = 0;
                lastError = null;
                lastErrorWhat = null;
                batches.incrementAndGet();
                if (halted) {
                    break; // a crash right after the database commit: the offsets stay uncommitted
                }
                for (TopicPartition tp : polled.partitions()) {
                    List<ConsumerRecord<byte[], byte[]>> recs = polled.records(tp);
                    pending.put(tp, new OffsetAndMetadata(recs.get(recs.size() - 1).offset() + 1));
                }
                commitPending();
            }
            if (!halted) {
                commitPending();
            }
        } catch (RuntimeException e) {
            failed("the records consumer stopped", e);
        } finally {
            running = false;
            try {
                consumer.assignment().forEach(metrics::unassigned);
            } catch (RuntimeException ignored) {
                // closing anyway
            }
            try {
                consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.debugf("closing the consumer: %s", e);
            }
            finished.countDown();
        }
    }

    private void commitPending() {
        if (pending.isEmpty() || halted) {
            return;
        }
        try {
            committer.commit(consumer, new HashMap<>(pending));
            pending.clear();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved on: their new owner reads from the last committed offsets and the store skips what is stored
            LOG.warnf("offset commit failed during a rebalance (%s); the new owner replays, nothing is stored twice", e.getMessage());
            pending.clear();
        } catch (RuntimeException e) {
            failed("offset commit failed; retried with the next batch", e);
        }
    }

    private void rewind(ConsumerRecords<byte[], byte[]> polled) {
        for (TopicPartition tp : polled.partitions()) {
            try {
                consumer.seek(tp, polled.records(tp).get(0).offset());
            } catch (IllegalStateException e) {
                // no longer assigned: its new owner starts from the committed offset
            }
        }
    }

    private void updateLag() {
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                metrics.lag(tp, lag.getAsLong());
            }
        }
    }

    private long backOff(long previousMs) {
        long next = previousMs == 0 ? 100 : Math.min(previousMs * 2, maxBackoff.toMillis());
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(next);
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(50, next));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
        return next;
    }

    private void failed(String what, RuntimeException e) {
        lastError = what + ": " + e;
        lastErrorWhat = what;
        lastErrorAt = Instant.now();
        LOG.warnf("%s: %s", what, e.toString());
    }

    /** Graceful stop: finishes the batch in hand, commits, leaves the group. Waits up to {@code timeout}. */
    public boolean stop(Duration timeout) {
        stopping = true;
        consumer.wakeup();
        return awaitFinished(timeout);
    }

    /**
     * Abrupt stop, as a crash: the batch in hand is not committed (if its database transaction committed, the
     * records are stored but their offsets are not), the consumer closes without committing anything.
     */
    public boolean halt(Duration timeout) {
        halted = true;
        stopping = true;
        consumer.wakeup();
        return awaitFinished(timeout);
    }

    /** Marks the loop halted without waiting (for use from the loop's own thread, e.g. in an {@link OffsetCommitter}). */
    public void haltFromWithin() {
        halted = true;
        stopping = true;
    }

    public boolean awaitFinished(Duration timeout) {
        try {
            return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isRunning() {
        return running;
    }

    public long batchesHandled() {
        return batches.get();
    }

    /** The last failure, or null after a batch succeeded since. */
    /** What failed last, in the loop's own words without the exception (for the public readiness probe); null when healthy. */
    public String lastErrorSummary() {
        return lastErrorWhat;
    }

    public String lastError() {
        return lastError;
    }

    public Instant lastErrorAt() {
        return lastErrorAt;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = pending.remove(tp);
                if (o != null) {
                    mine.put(tp, o);
                }
                metrics.unassigned(tp);
            }
            if (!mine.isEmpty() && !halted) {
                try {
                    committer.commit(consumer, mine);
                } catch (RuntimeException e) {
                    LOG.warnf("committing offsets of revoked partitions failed (%s); their next owner replays them idempotently", e.toString());
                }
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                pending.remove(tp);
                metrics.unassigned(tp);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // positions come from the committed offsets (auto.offset.reset=earliest for a new group)
        }
    }
}
