package dev.ragtune.tuning;

import static dev.ragtune.tuning.EmbeddedServices.OPS;
import static dev.ragtune.tuning.EmbeddedServices.READER;
import static dev.ragtune.tuning.EmbeddedServices.RECORD_PARTITIONS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Bad input through HTTP against the real worker (PostgreSQL, Kafka): a 400 naming the field with the {error,
 * message} body, nothing internal in it, and no job created for an out-of-range hyperparameter.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BadInputApiTest {

    static void rejected(Response r, int status, String... parts) {
        String body = r.asString();
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(body).doesNotContainPattern("(?i)exception|java\\.|dev\\.ragtune|org\\.|\\bsql\\b|select |insert into")
                .doesNotContainPattern("(^|[\\s\"'=:])/(tmp|home|root|var|srv|work)/");
        assertThat(r.jsonPath().getString("error")).as(body).isNotBlank();
        for (String p : parts) {
            assertThat(r.jsonPath().getString("message")).as(body).contains(p);
        }
    }

    static Response job(Map<String, Object> hyperparameters) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("adapter", "bad-input-bot");
        body.put("hyperparameters", hyperparameters);
        return given().auth().oauth2(OPS).contentType(ContentType.JSON).body(body).post("/v1/jobs");
    }

    @Test
    void everyHyperparameterHasARangeCheckedAtTheApi() {
        Map<String, List<Object>> bad = new LinkedHashMap<>();
        bad.put("epochs", List.of(99999999999L, 0, 1001, -3));
        bad.put("rank", List.of(0, 257, 1e12));
        bad.put("alpha", List.of(0, -1, 1e31));
        bad.put("learningRate", List.of(0, 1, 5));
        bad.put("maxSeqLen", List.of(1, 40000, 1e15));
        bad.put("batchSize", List.of(0, 1025));
        bad.put("gradAccumulation", List.of(0, 100000));
        bad.put("warmupRatio", List.of(-0.1, 1));
        bad.put("weightDecay", List.of(-1, 11));
        bad.put("maxGradNorm", List.of(0, 1e7));
        bad.put("seed", List.of(new java.math.BigInteger("99999999999999999999999")));
        for (var e : bad.entrySet()) {
            for (Object v : e.getValue()) {
                rejected(job(Map.of(e.getKey(), v)), 400, "hyperparameter " + e.getKey());
            }
        }
        rejected(job(Map.of("epochs", "many")), 400, "epochs");
        String jobs = given().auth().oauth2(READER).queryParam("adapter", "bad-input-bot").get("/v1/jobs").then().statusCode(200)
                .extract().asString();
        assertThat(jobs).as("no job was created").isEqualTo("[]");
    }

    @Test
    void bodiesAndParametersOfTheWrongShapeGetTheErrorBody() {
        rejected(given().auth().oauth2(OPS).contentType(ContentType.JSON).body("[1, 2]").post("/v1/jobs"), 400);
        rejected(given().auth().oauth2(OPS).contentType(ContentType.JSON).body("{\"adapter\": ").post("/v1/jobs"), 400, "JSON");
        rejected(given().auth().oauth2(READER).get("/v1/jobs?limit=0"), 400, "limit");
        rejected(given().auth().oauth2(READER).get("/v1/jobs?limit=2147483647"), 400, "limit");
        rejected(given().auth().oauth2(READER).get("/v1/records/outcomes?partition=" + RECORD_PARTITIONS + "&from=0&to=1"), 400,
                "partition", String.valueOf(RECORD_PARTITIONS));
        rejected(given().auth().oauth2(READER).get("/v1/records/outcomes?partition=2147483647&from=0&to=1"), 400, "partition");
        given().auth().oauth2(READER).get("/v1/records/outcomes?partition=" + (RECORD_PARTITIONS - 1) + "&from=0&to=0").then().statusCode(200);
    }

    @Test
    void probesShowNoPathsOrExceptionNames() {
        String ready = given().get("/q/health/ready").asString();
        assertThat(ready).doesNotContainPattern("(?i)exception|java\\.|/tmp/|/home/");
    }
}
