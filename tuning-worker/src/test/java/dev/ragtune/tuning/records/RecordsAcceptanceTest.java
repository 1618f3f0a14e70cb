package dev.ragtune.tuning.records;

import static dev.ragtune.tuning.EmbeddedServices.DLQ;
import static dev.ragtune.tuning.EmbeddedServices.GROUP;
import static dev.ragtune.tuning.EmbeddedServices.RECORDS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import dev.ragtune.common.records.RejectCode;
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
 * Acceptance 1: 1,000 valid and 100 invalid records (ten kinds) on {@code training-records} → exactly the 1,000
 * stored, the 100 on {@code training-records.dlq} unchanged with the right error code and source partition/offset.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RecordsAcceptanceTest {

    private static final String ADAPTER = "accept-bot";

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    private record Bad(RejectCode code, String key, String value) {
    }

    /** Ten kinds of invalid record; the key is always "acc-bad-<n>". */
    private static final Map<RejectCode, IntFunction<Bad>> KINDS = new java.util.LinkedHashMap<>();

    static {
        KINDS.put(RejectCode.MALFORMED_JSON, n -> new Bad(RejectCode.MALFORMED_JSON, key(n),
                "{\"id\": \"" + key(n) + "\", \"adapter\": \"" + ADAPTER + "\", \"messages\": [{\"role\": \"user\""));
        KINDS.put(RejectCode.NOT_AN_OBJECT, n -> new Bad(RejectCode.NOT_AN_OBJECT, key(n), "[\"" + key(n) + "\"]"));
        KINDS.put(RejectCode.MISSING_ID, n -> new Bad(RejectCode.MISSING_ID, key(n),
                TestRecords.chat(key(n), ADAPTER, n).replace("\"id\": \"" + key(n) + "\", ", "")));
        KINDS.put(RejectCode.INVALID_ADAPTER, n -> new Bad(RejectCode.INVALID_ADAPTER, key(n), TestRecords.chat(key(n), "Accept_Bot", n)));
        KINDS.put(RejectCode.INVALID_ROLE, n -> new Bad(RejectCode.INVALID_ROLE, key(n),
                TestRecords.chat(key(n), ADAPTER, n).replace("\"system\"", "\"tool\"")));
        KINDS.put(RejectCode.MISSING_ASSISTANT_TURN, n -> new Bad(RejectCode.MISSING_ASSISTANT_TURN, key(n),
                TestRecords.chat(key(n), ADAPTER, n).replace("\"assistant\"", "\"user\"")));
        KINDS.put(RejectCode.EMPTY_CONTENT, n -> new Bad(RejectCode.EMPTY_CONTENT, key(n),
                TestRecords.chat(key(n), ADAPTER, "Anything?", "  ")));
        KINDS.put(RejectCode.TOO_LARGE, n -> new Bad(RejectCode.TOO_LARGE, key(n),
                TestRecords.chat(key(n), ADAPTER, "Long?", "y".repeat(EmbeddedServices.MAX_RECORD_BYTES))));
        // one token per byte in the demo tokenizer: 600 bytes of answer exceed 512 tokens but not 8 KiB
        KINDS.put(RejectCode.TOO_MANY_TOKENS, n -> new Bad(RejectCode.TOO_MANY_TOKENS, key(n),
                TestRecords.chat(key(n), ADAPTER, "Long?", "z".repeat(600))));
        KINDS.put(RejectCode.ID_KEY_MISMATCH, n -> new Bad(RejectCode.ID_KEY_MISMATCH, key(n),
                TestRecords.chat("acc-other-" + n, ADAPTER, n)));
    }

    private static String key(int n) {
        return "acc-bad-" + n;
    }

    @Test
    void validRecordsAreStoredOnceAndInvalidOnesGoToTheDlqUnchanged() throws Exception {
        List<Kafka.Message> messages = new ArrayList<>();
        Map<String, Bad> bad = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            messages.add(TestRecords.message("acc-ok-" + i, ADAPTER, i));
        }
        List<IntFunction<Bad>> kinds = new ArrayList<>(KINDS.values());
        for (int n = 0; n < 100; n++) {
            Bad b = kinds.get(n % kinds.size()).apply(n);
            bad.put(b.key(), b);
            messages.add(Kafka.Message.of(b.key(), b.value()));
        }
        Collections.shuffle(messages, new Random(7));
        List<RecordMetadata> sent = Kafka.send(kafka.bootstrapServers(), RECORDS, messages);
        Map<String, RecordMetadata> whereSent = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            whereSent.put(new String(messages.get(i).key(), StandardCharsets.UTF_8), sent.get(i));
        }
        assertThat(sent.stream().map(RecordMetadata::partition).distinct().count()).as("spread over partitions").isGreaterThan(1);

        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(180));

        // exactly the 1,000 valid records, each once, nothing of the invalid ones
        assertThat(Db.count(postgres, "select count(*) from training_records where adapter = ?", ADAPTER)).isEqualTo(1000);
        assertThat(Db.count(postgres, "select count(distinct record_id) from training_records where record_id like 'acc-ok-%'")).isEqualTo(1000);
        assertThat(Db.count(postgres, "select count(*) from training_records where record_id like 'acc-ok-%'")).isEqualTo(1000);
        assertThat(Db.count(postgres, "select count(*) from training_records where record_id like 'acc-bad-%' or record_id like 'acc-other-%'"))
                .isZero();
        assertThat(Db.count(postgres, "select count(*) from training_records where record_id like 'acc-ok-%'"
                + " and is_latest and revision = 1 and messages -> 2 ->> 'content' = 'Fact ' || substr(record_id, 8) || ' is that the river runs violet.'"))
                .as("stored content is the record's").isEqualTo(1000);
        // every stored row remembers where it came from
        for (String id : List.of("acc-ok-0", "acc-ok-500", "acc-ok-999")) {
            RecordMetadata m = whereSent.get(id);
            assertThat(Db.count(postgres, "select count(*) from training_records where record_id = ? and source_topic = ?"
                    + " and source_partition = ? and source_offset = ?", id, RECORDS, m.partition(), m.offset())).isEqualTo(1);
        }

        // the 100 invalid records on the DLQ: same key and value bytes, the reason, where they came from
        List<ConsumerRecord<byte[], byte[]>> dlq = Kafka.readAll(kafka.bootstrapServers(), DLQ).stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith("acc-bad-")).toList();
        assertThat(dlq).hasSize(100);
        Map<RejectCode, Integer> perCode = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            String k = new String(r.key(), StandardCharsets.UTF_8);
            Bad b = bad.remove(k);
            assertThat(b).as("DLQ record %s expected once", k).isNotNull();
            assertThat(r.value()).as("value of %s unchanged", k).isEqualTo(b.value().getBytes(StandardCharsets.UTF_8));
            assertThat(header(r, DlqHeaders.ERROR_CODE)).as("code of %s", k).isEqualTo(b.code().name());
            assertThat(header(r, DlqHeaders.ERROR_MESSAGE)).isNotBlank();
            assertThat(header(r, DlqHeaders.SOURCE_PARTITION)).isEqualTo(Integer.toString(whereSent.get(k).partition()));
            assertThat(header(r, DlqHeaders.SOURCE_OFFSET)).isEqualTo(Long.toString(whereSent.get(k).offset()));
            assertThat(header(r, DlqHeaders.SOURCE_TOPIC)).isEqualTo(RECORDS);
            perCode.merge(b.code(), 1, Integer::sum);
        }
        assertThat(bad).as("every invalid record reached the DLQ").isEmpty();
        assertThat(perCode).hasSize(10).allSatisfy((code, count) -> assertThat(count).isEqualTo(10));

        // messages name what is wrong
        ConsumerRecord<byte[], byte[]> tooMany = dlq.stream().filter(r -> "TOO_MANY_TOKENS".equals(header(r, DlqHeaders.ERROR_CODE)))
                .findFirst().orElseThrow();
        assertThat(header(tooMany, DlqHeaders.ERROR_MESSAGE)).contains("the limit is " + EmbeddedServices.MAX_SEQ_LEN);

        // metrics: rejections by code, consumed, stored
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(metrics, "ragtune_worker_records_rejected_total{code=\"TOO_LARGE\"}")).isGreaterThanOrEqualTo(10);
        assertThat(metric(metrics, "ragtune_worker_records_rejected_total{code=\"ID_KEY_MISMATCH\"}")).isGreaterThanOrEqualTo(10);
        assertThat(metric(metrics, "ragtune_worker_records_consumed_total")).isGreaterThanOrEqualTo(1100);
        assertThat(metric(metrics, "ragtune_worker_records_stored_total")).isGreaterThanOrEqualTo(1000);
        assertThat(metrics).contains("ragtune_worker_store_batch_seconds_count").contains("ragtune_worker_consumer_lag{");
        for (int p = 0; p < EmbeddedServices.RECORD_PARTITIONS; p++) {
            assertThat(metric(metrics, "ragtune_worker_consumer_lag{partition=\"" + p + "\",topic=\"" + RECORDS + "\"}")).isZero();
        }
        assertThat(metrics).contains("ragtune_worker_consumer_total_lag");
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'records-consumer' }.status", org.hamcrest.Matchers.equalTo("UP"));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static double metric(String exposition, String nameAndLabels) {
        Matcher m = Pattern.compile("^" + Pattern.quote(nameAndLabels) + "\\s+(\\S+)$", Pattern.MULTILINE).matcher(exposition);
        if (!m.find()) {
            // labels other than the ones given (e.g. the application tag) come first in the exposition: match loosely
            int brace = nameAndLabels.indexOf('{');
            String name = brace < 0 ? nameAndLabels : nameAndLabels.substring(0, brace);
            String labels = brace < 0 ? "" : nameAndLabels.substring(brace + 1, nameAndLabels.length() - 1);
            Matcher loose = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+(\\S+)$", Pattern.MULTILINE).matcher(exposition);
            while (loose.find()) {
                if (labels.isEmpty() || (loose.group(1) != null && loose.group(1).contains(labels))) {
                    return Double.parseDouble(loose.group(2));
                }
            }
            throw new AssertionError("metric " + nameAndLabels + " not in the exposition");
        }
        return Double.parseDouble(m.group(1));
    }
}
