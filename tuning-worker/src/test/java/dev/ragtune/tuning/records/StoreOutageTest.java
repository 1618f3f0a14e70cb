package dev.ragtune.tuning.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * The database fails (its table is renamed away, so every insert fails): nothing is committed, the batch is retried
 * with back-off, and once the table is back every record is stored exactly once. The DLQ, at-least-once, may repeat
 * rejected records meanwhile (each identified by its source partition and offset); every one of them is there.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class StoreOutageTest {

    @Inject
    RecordsPipeline pipeline;

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    @Test
    void aFailingDatabaseIsRetriedAndNothingIsLostOrDuplicated() throws Exception {
        String topic = "outage-records";
        String group = "outage-group";
        Kafka.createTopic(kafka, topic, 2);
        List<Kafka.Message> messages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            messages.add(TestRecords.message("outage-" + i, "outage-bot", i));
        }
        for (int i = 0; i < 20; i++) {
            messages.add(Kafka.Message.of("outage-bad-" + i, "{\"id\": \"outage-bad-" + i + "\"}"));
        }
        Kafka.send(kafka.bootstrapServers(), topic, messages);

        RecordConsumerLoop loop = pipeline.newLoop(pipeline.consumerProperties(group), topic, RecordConsumerLoop.SYNC);
        Thread t;
        Db.update(postgres, "alter table training_records rename to training_records_away");
        try {
            t = new Thread(loop, "test-outage-consumer");
            t.setDaemon(true);
            t.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (loop.lastError() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(loop.lastError()).as("the store failure is reported").contains("will be retried").contains("training_records");
            Thread.sleep(1500); // a few retries
            assertThat(Kafka.committed(kafka.bootstrapServers(), group, topic)).as("nothing committed while the store fails").isEmpty();
        } finally {
            Db.update(postgres, "alter table training_records_away rename to training_records");
        }
        try {
            Kafka.awaitAllCommitted(kafka.bootstrapServers(), group, topic, Duration.ofSeconds(120));
        } finally {
            assertThat(loop.stop(Duration.ofSeconds(60))).isTrue();
            t.join(10_000);
        }
        assertThat(loop.lastError()).isNull();
        assertThat(Db.count(postgres, "select count(*) from training_records where source_topic = ?", topic)).isEqualTo(300);
        assertThat(Db.count(postgres, "select count(distinct record_id) from training_records where record_id like 'outage-%'")).isEqualTo(300);

        List<ConsumerRecord<byte[], byte[]>> dlq = Kafka.readAll(kafka.bootstrapServers(), EmbeddedServices.DLQ).stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith("outage-bad-")).toList();
        Set<String> sources = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            assertThat(new String(r.headers().lastHeader(DlqHeaders.ERROR_CODE).value(), StandardCharsets.UTF_8)).isEqualTo("INVALID_ADAPTER");
            sources.add(new String(r.headers().lastHeader(DlqHeaders.SOURCE_PARTITION).value(), StandardCharsets.UTF_8) + "/"
                    + new String(r.headers().lastHeader(DlqHeaders.SOURCE_OFFSET).value(), StandardCharsets.UTF_8));
        }
        assertThat(sources).as("every rejected record reached the DLQ (at least once)").hasSize(20);
    }
}
