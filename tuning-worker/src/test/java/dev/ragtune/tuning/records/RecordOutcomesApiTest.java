package dev.ragtune.tuning.records;

import static dev.ragtune.tuning.EmbeddedServices.GROUP;
import static dev.ragtune.tuning.EmbeddedServices.READER;
import static dev.ragtune.tuning.EmbeddedServices.RECORDS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.InjectEmbedded;
import dev.ragtune.tuning.Kafka;
import dev.ragtune.tuning.TestRecords;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** GET /v1/records/outcomes: a producer reads back whether its messages were processed and how many were stored. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RecordOutcomesApiTest {

    @InjectEmbedded
    KafkaBroker kafka;

    @Test
    void countsStoredRevisionsOfAProducedRangeOnceTheGroupCommittedPastIt() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Kafka.Message> first = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            first.add(TestRecords.message("oc-" + run + "-" + i, "oc-bot", i));
        }
        first.add(Kafka.Message.of("oc-" + run + "-bad-json", "{\"id\": \"oc-" + run + "-bad-json\", "));
        first.add(Kafka.Message.of("oc-" + run + "-no-answer", "{\"id\": \"oc-" + run + "-no-answer\", \"adapter\": \"oc-bot\","
                + " \"messages\": [{\"role\": \"user\", \"content\": \"Hello?\"}]}"));
        Map<Integer, long[]> ranges = ranges(Kafka.send(kafka.bootstrapServers(), RECORDS, first));
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));

        long stored = 0;
        for (var e : ranges.entrySet()) {
            JsonPath o = outcome(e.getKey(), e.getValue()[0], e.getValue()[1]);
            assertThat(o.getBoolean("processed")).as("partition %d", e.getKey()).isTrue();
            assertThat(o.getLong("committedOffset")).isGreaterThanOrEqualTo(e.getValue()[1]);
            assertThat(o.getString("topic")).isEqualTo(RECORDS);
            stored += o.getLong("stored");
        }
        assertThat(stored).as("6 valid records stored, the 2 invalid ones not").isEqualTo(6);

        // the same six again (unchanged: not stored) and a new revision of one of them
        List<Kafka.Message> second = new ArrayList<>(first.subList(0, 6));
        second.add(Kafka.Message.of("oc-" + run + "-0", TestRecords.chat("oc-" + run + "-0", "oc-bot", "What is fact 0?", "Revised.")));
        Map<Integer, long[]> again = ranges(Kafka.send(kafka.bootstrapServers(), RECORDS, second));
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));
        long storedAgain = 0;
        for (var e : again.entrySet()) {
            JsonPath o = outcome(e.getKey(), e.getValue()[0], e.getValue()[1]);
            assertThat(o.getBoolean("processed")).isTrue();
            storedAgain += o.getLong("stored");
        }
        assertThat(storedAgain).as("only the revision is new").isEqualTo(1);

        // messages not produced yet: not processed, nothing stored
        var beyond = again.entrySet().iterator().next();
        JsonPath future = outcome(beyond.getKey(), beyond.getValue()[1] + 100, beyond.getValue()[1] + 110);
        assertThat(future.getBoolean("processed")).isFalse();
        assertThat(future.getLong("stored")).isZero();
    }

    @Test
    void needsAReaderKeyAndAValidRange() {
        given().get("/v1/records/outcomes?partition=0&from=0&to=1").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().auth().oauth2(READER).get("/v1/records/outcomes?partition=0&from=0").then().statusCode(400)
                .body("error", equalTo("bad_request")).body("message", containsString("partition, from and to are required"));
        given().auth().oauth2(READER).get("/v1/records/outcomes?partition=0&from=5&to=1").then().statusCode(400)
                .body("message", containsString("0 <= from <= to"));
        given().auth().oauth2(READER).get("/v1/records/outcomes?partition=-1&from=0&to=1").then().statusCode(400);
        given().auth().oauth2(READER).get("/v1/records/outcomes?partition=0&from=0&to=0").then().statusCode(200)
                .body("processed", equalTo(true)).body("stored", equalTo(0));
    }

    private static JsonPath outcome(int partition, long from, long to) {
        return given().auth().oauth2(READER).queryParam("partition", partition).queryParam("from", from).queryParam("to", to)
                .get("/v1/records/outcomes").then().statusCode(200).extract().jsonPath();
    }

    /** partition → [first offset, last offset + 1] of the sent messages. */
    private static Map<Integer, long[]> ranges(List<RecordMetadata> sent) {
        Map<Integer, long[]> out = new TreeMap<>();
        for (RecordMetadata m : sent) {
            out.merge(m.partition(), new long[] {m.offset(), m.offset() + 1},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        return out;
    }
}
