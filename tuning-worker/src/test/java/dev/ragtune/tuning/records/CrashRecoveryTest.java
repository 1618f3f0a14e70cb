package dev.ragtune.tuning.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.tuning.Db;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.InjectEmbedded;
import dev.ragtune.tuning.Kafka;
import dev.ragtune.tuning.TestRecords;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Acceptance 2: the consumer stopped abruptly in the middle of 5,000 records and restarted — every record stored
 * exactly once. Each scenario runs the production consumer loop ({@link RecordsPipeline#newLoop}: the same
 * validator, DLQ and store as the service) on its own topic and group, crashes it, then lets a fresh consumer of
 * the same group finish.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class CrashRecoveryTest {

    private static final int RECORDS = 5000;

    @Inject
    RecordsPipeline pipeline;

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    /** Halted from outside at an arbitrary point (polling, storing or committing) while records stream in. */
    @Test
    void haltedInTheMiddleAndRestartedStoresEveryRecordOnce() throws Exception {
        String topic = "crash-halt";
        String group = "crash-halt-group";
        produce(topic, "halt");

        // a slow offset commit (as with a busy broker) keeps the first consumer in the middle of the stream
        RecordConsumerLoop first = pipeline.newLoop(consumer(group), topic, (c, offsets) -> {
            sleep(30);
            c.commitSync(offsets);
        });
        Thread t = start(first);
        awaitStored(topic, 1000);
        assertThat(first.halt(Duration.ofSeconds(60))).isTrue();
        t.join(10_000);
        long storedAtCrash = stored(topic);
        assertThat(storedAtCrash).as("halted in the middle").isBetween(1000L, (long) RECORDS - 1);
        long committedAtCrash = Kafka.committed(kafka.bootstrapServers(), group, topic).values().stream().mapToLong(Long::longValue).sum();
        assertThat(committedAtCrash).isLessThanOrEqualTo(storedAtCrash);

        finishWithAFreshConsumer(topic, group);
        assertStoredExactlyOnce(topic, "halt");
    }

    /** The hard case: the database transaction committed, the process died before the offset commit. */
    @Test
    void crashBetweenTheDatabaseCommitAndTheOffsetCommitStoresNothingTwice() throws Exception {
        String topic = "crash-commit";
        String group = "crash-commit-group";
        produce(topic, "commit");

        AtomicInteger commits = new AtomicInteger();
        AtomicReference<RecordConsumerLoop> self = new AtomicReference<>();
        RecordConsumerLoop first = pipeline.newLoop(consumer(group), topic, (c, offsets) -> {
            if (commits.incrementAndGet() == 8) {
                self.get().haltFromWithin();
                throw new IllegalStateException("simulated crash: stored, offsets not committed");
            }
            c.commitSync(offsets);
        });
        self.set(first);
        Thread t = start(first);
        assertThat(first.awaitFinished(Duration.ofSeconds(120))).as("the first consumer crashed").isTrue();
        t.join(10_000);

        Map<TopicPartition, Long> committed = Kafka.committed(kafka.bootstrapServers(), group, topic);
        long storedButUncommitted = 0;
        for (int p = 0; p < EmbeddedServices.RECORD_PARTITIONS; p++) {
            long c = committed.getOrDefault(new TopicPartition(topic, p), 0L);
            storedButUncommitted += Db.count(postgres, "select count(*) from training_records where source_topic = ?"
                    + " and source_partition = ? and source_offset >= ?", topic, p, c);
        }
        assertThat(storedButUncommitted).as("records stored whose offsets were not committed: the restart reads them again")
                .isPositive();
        assertThat(stored(topic)).isLessThan(RECORDS);

        finishWithAFreshConsumer(topic, group);
        assertStoredExactlyOnce(topic, "commit");
    }

    /** The broker killed (SIGKILL) while the consumer is in the middle of the stream, then started again. */
    @Test
    void brokerKilledInTheMiddleAndRestartedStoresEveryRecordOnce() throws Exception {
        String topic = "crash-broker";
        String group = "crash-broker-group";
        produce(topic, "broker");

        RecordConsumerLoop loop = pipeline.newLoop(consumer(group), topic, (c, offsets) -> {
            sleep(30);
            c.commitSync(offsets);
        });
        Thread t = start(loop);
        try {
            awaitStored(topic, 1000);
            kafka.kill();
            long storedWhileDown = stored(topic);
            assertThat(storedWhileDown).as("killed in the middle").isLessThan(RECORDS);
            Thread.sleep(2000);
            kafka.startAgain();
            Kafka.awaitAllCommitted(kafka.bootstrapServers(), group, topic, Duration.ofSeconds(240));
        } finally {
            kafka.startAgain();
            assertThat(loop.stop(Duration.ofSeconds(60))).isTrue();
            t.join(10_000);
        }
        assertStoredExactlyOnce(topic, "broker");
    }

    private void produce(String topic, String tag) throws Exception {
        Kafka.createTopic(kafka, topic, EmbeddedServices.RECORD_PARTITIONS);
        List<Kafka.Message> messages = new ArrayList<>(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            messages.add(TestRecords.message("crash-" + tag + "-" + i, "crash-bot", i));
        }
        Kafka.send(kafka.bootstrapServers(), topic, messages);
    }

    private Properties consumer(String group) {
        Properties p = pipeline.consumerProperties(group);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        return p;
    }

    private void finishWithAFreshConsumer(String topic, String group) throws Exception {
        RecordConsumerLoop second = pipeline.newLoop(consumer(group), topic, RecordConsumerLoop.SYNC);
        Thread t = start(second);
        try {
            Kafka.awaitAllCommitted(kafka.bootstrapServers(), group, topic, Duration.ofSeconds(180));
        } finally {
            assertThat(second.stop(Duration.ofSeconds(60))).isTrue();
            t.join(10_000);
        }
    }

    private void assertStoredExactlyOnce(String topic, String tag) throws Exception {
        assertThat(stored(topic)).isEqualTo(RECORDS);
        assertThat(Db.count(postgres, "select count(distinct record_id) from training_records where source_topic = ?", topic))
                .isEqualTo(RECORDS);
        assertThat(Db.count(postgres, "select count(*) from training_records where record_id like ?", "crash-" + tag + "-%"))
                .as("each id exactly once").isEqualTo(RECORDS);
        assertThat(Db.count(postgres, "select count(*) from training_records where record_id like ? and is_latest and revision = 1",
                "crash-" + tag + "-%")).isEqualTo(RECORDS);
    }

    private long stored(String topic) throws Exception {
        return Db.count(postgres, "select count(*) from training_records where source_topic = ?", topic);
    }

    private void awaitStored(String topic, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (stored(topic) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + atLeast + " records of " + topic + " stored within 120 s");
            }
            Thread.sleep(10);
        }
    }

    private static Thread start(RecordConsumerLoop loop) {
        Thread t = new Thread(loop, "test-records-consumer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
