package dev.ragtune.tuning.datasets;

import dev.ragtune.common.records.DatasetSplit;
import static dev.ragtune.tuning.EmbeddedServices.ADMIN;
import static dev.ragtune.tuning.EmbeddedServices.GROUP;
import static dev.ragtune.tuning.EmbeddedServices.OPS;
import static dev.ragtune.tuning.EmbeddedServices.READER;
import static dev.ragtune.tuning.EmbeddedServices.RECORDS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
import io.restassured.http.ContentType;

/** GET /v1/datasets: counts per adapter, the split, newSinceLastJob against dataset_snapshots; and the roles. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DatasetsApiTest {

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    @Test
    void countsRecordsPerAdapterWithTheSplitAndWhatIsNewSinceTheLastJob() throws Exception {
        DatasetSplit split = new DatasetSplit(0.1);
        List<Kafka.Message> first = new ArrayList<>();
        long eval = 0;
        for (int i = 0; i < 300; i++) {
            first.add(TestRecords.message("ds-" + i, "ds-bot", i));
            eval += split.isEval("ds-bot", "ds-" + i) ? 1 : 0;
        }
        for (int i = 0; i < 7; i++) {
            first.add(TestRecords.message("ds-other-" + i, "ds-other", i));
        }
        Kafka.send(kafka.bootstrapServers(), RECORDS, first);
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));

        Map<String, Object> bot = dataset("ds-bot");
        assertThat(((Number) bot.get("recordsTotal")).longValue()).isEqualTo(300);
        assertThat(((Number) bot.get("evalRecords")).longValue()).isEqualTo(eval).isBetween(10L, 60L);
        assertThat(((Number) bot.get("trainRecords")).longValue()).isEqualTo(300 - eval);
        assertThat(((Number) bot.get("newSinceLastJob")).longValue()).as("no job yet: everything is new").isEqualTo(300);
        assertThat(OffsetDateTime.parse((String) bot.get("lastRecordAt"))).isAfter(OffsetDateTime.now().minusMinutes(10));
        assertThat(((Number) dataset("ds-other").get("recordsTotal")).longValue()).isEqualTo(7);

        // a job snapshots ds-bot: what it saw is no longer new
        long maxSeq = Db.count(postgres, "select max(seq) from training_records where adapter = 'ds-bot'");
        Db.update(postgres, "insert into dataset_snapshots (adapter, snapshot_max_seq, job_id) values ('ds-bot', ?, 'job-1')", maxSeq);
        assertThat(((Number) dataset("ds-bot").get("newSinceLastJob")).longValue()).isZero();

        // then 20 new records, one revision of an old one, and one re-sent unchanged record
        List<Kafka.Message> second = new ArrayList<>();
        for (int i = 300; i < 320; i++) {
            second.add(TestRecords.message("ds-" + i, "ds-bot", i));
        }
        second.add(Kafka.Message.of("ds-5", TestRecords.chat("ds-5", "ds-bot", "What is fact number 5?", "Corrected: it is green.")));
        second.add(TestRecords.message("ds-6", "ds-bot", 6));
        Kafka.send(kafka.bootstrapServers(), RECORDS, second);
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));

        bot = dataset("ds-bot");
        assertThat(((Number) bot.get("recordsTotal")).longValue()).isEqualTo(320);
        assertThat(((Number) bot.get("newSinceLastJob")).longValue()).as("20 new ids and 1 new revision").isEqualTo(21);
        assertThat(((Number) bot.get("trainRecords")).longValue() + ((Number) bot.get("evalRecords")).longValue()).isEqualTo(320);
    }

    @Test
    void rolesAndErrors() {
        given().get("/v1/datasets").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .contentType(ContentType.JSON).body("error", equalTo("unauthorized"));
        given().auth().oauth2("no-such-key").get("/v1/datasets").then().statusCode(401).body("message", equalTo("unknown API key"));
        given().header("Authorization", "Basic abc").get("/v1/datasets").then().statusCode(401);
        for (String key : List.of(READER, OPS, ADMIN)) {
            given().auth().oauth2(key).get("/v1/datasets").then().statusCode(200).contentType(ContentType.JSON);
        }
        // ops-only and admin-only (unannotated: fail closed) endpoints of the test application
        given().auth().oauth2(READER).post("/v1/test-probe/ops").then().statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("needs role 'ops'"));
        given().auth().oauth2(OPS).post("/v1/test-probe/ops").then().statusCode(200).body(equalTo("test-ops"));
        given().auth().oauth2(ADMIN).post("/v1/test-probe/ops").then().statusCode(200).body(equalTo("test-admin"));
        given().auth().oauth2(OPS).post("/v1/test-probe/unannotated").then().statusCode(403).body("message", containsString("needs role 'admin'"));
        given().auth().oauth2(ADMIN).post("/v1/test-probe/unannotated").then().statusCode(200);
        given().auth().oauth2(READER).get("/v1/test-probe").then().statusCode(200).body(equalTo("test-reader"));
        given().auth().oauth2(READER).get("/v1/no-such-thing").then().statusCode(404).body("error", equalTo("not_found"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dataset(String adapter) {
        List<Map<String, Object>> all = given().auth().oauth2(READER).get("/v1/datasets").then().statusCode(200)
                .extract().jsonPath().getList("$");
        return all.stream().filter(m -> adapter.equals(m.get("adapter"))).findFirst()
                .orElseThrow(() -> new AssertionError("no dataset " + adapter + " in " + all));
    }
}
