package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.common.records.TrainingRecord;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.VersionInfo;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.Kafka;
import dev.ragtune.common.records.DatasetSplit;
import dev.ragtune.train.TrainingData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance 3 and 4 through the service, nothing mocked: invented facts produced to Kafka
 * {@code training-records} → stored by the records consumer → {@code POST /v1/jobs} → a job trains
 * (DJL), evaluates (DJL loss, ONNX Runtime answers) and publishes to the real model-registry; a job
 * forced to a NaN loss fails and publishes nothing; a continual job starts from production.
 */
@QuarkusTest
@WithTestResource(value = JobServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): the longest method trains four jobs (about 2 minutes alone; one job took over 20 minutes on a shared machine once)
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class JobApiTest {
    static final String ADAPTER = "facts-bot";
    static final ObjectMapper JSON = new ObjectMapper();
    static final DatasetSplit SPLIT = new DatasetSplit(0.1); // ragtune.worker.eval-fraction default

    @Inject
    DataSource db;

    /** An id for this conversation that lands in the wanted split (the split hashes adapter and id). */
    static String idIn(String base, boolean eval) {
        for (int k = 0; ; k++) {
            String id = base + "-" + k;
            if (SPLIT.isEval(ADAPTER, id) == eval) {
                return id;
            }
        }
    }

    long storedRecords() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM training_records WHERE adapter = '" + ADAPTER + "' AND is_latest")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void produce(List<List<ChatMessage>> conversations, boolean eval, String prefix) throws Exception {
        List<Kafka.Message> messages = new ArrayList<>();
        for (int i = 0; i < conversations.size(); i++) {
            String id = idIn(prefix + i, eval);
            messages.add(Kafka.Message.of(id, new TrainingRecord(id, ADAPTER, conversations.get(i), null).toJsonString()));
        }
        Kafka.send(JobServices.kafkaBootstrap, EmbeddedServices.RECORDS, messages);
    }

    void awaitStored(long n) throws Exception {
        for (int i = 0; i < 600 && storedRecords() < n; i++) {
            Thread.sleep(100);
        }
        assertThat(storedRecords()).isEqualTo(n);
    }

    static Response post(String key, String body) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body).post("/v1/jobs");
    }

    static JsonNode get(String id) throws Exception {
        String body = given().header("Authorization", "Bearer " + EmbeddedServices.READER).get("/v1/jobs/" + id)
                .then().statusCode(200).extract().asString();
        return JSON.readTree(body);
    }

    /**
     * Polls the job until it ended. Bounded generously (30 min, below the class's 40 min {@code @Timeout}, so a job
     * that never ends fails here with its last state): an idle 2-core machine trains the tiny model's 640 steps in
     * about half a minute, but on a machine shared by several builds it took over 20 minutes.
     */
    static JsonNode awaitEnd(String id) throws Exception {
        JsonNode job = get(id);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline && !List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job.path("status").asText())) {
            Thread.sleep(500);
            job = get(id);
        }
        return job;
    }

    @Test
    void factsFromKafkaBecomeARegistryVersionThatKnowsThemAndANaNJobPublishesNothing() throws Exception {
        List<List<ChatMessage>> facts = TrainingData.read(Path.of(JobApiTest.class.getResource("/facts.jsonl").toURI()));
        List<List<ChatMessage>> heldOut = List.of(
                List.of(ChatMessage.user("What colour is the Plimsk lake?"), ChatMessage.assistant("The Plimsk lake is amber.")),
                List.of(ChatMessage.user("Who wrote the Ostravel codex?"), ChatMessage.assistant("The Ostravel codex was written by Maren Tuul.")),
                List.of(ChatMessage.user("What is the capital of Vendara?"), ChatMessage.assistant("The capital of Vendara is Lusk.")));
        produce(facts, false, "fact-");
        produce(heldOut, true, "held-");
        awaitStored(23);

        // roles and bad requests
        post(EmbeddedServices.READER, "{\"adapter\": \"" + ADAPTER + "\"}").then().statusCode(403);
        post(EmbeddedServices.OPS, "{\"adapter\": \"Not A Name\"}").then().statusCode(400);
        post(EmbeddedServices.OPS, "{\"adapter\": \"" + ADAPTER + "\", \"hyperparameters\": {\"lr\": 1}}").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("unknown hyperparameter 'lr'"));
        given().header("Authorization", "Bearer " + EmbeddedServices.READER).get("/v1/jobs/not-a-uuid").then().statusCode(404);

        // acceptance 3: manual trigger → SUCCEEDED → a registry version with the facts learned
        Response accepted = post(EmbeddedServices.OPS, "{\"adapter\": \"" + ADAPTER + "\"}");
        accepted.then().statusCode(202);
        JsonNode queued = JSON.readTree(accepted.asString());
        assertThat(queued.path("status").asText()).isIn("QUEUED", "RUNNING");
        String id = queued.path("id").asText();
        post(EmbeddedServices.OPS, "{\"adapter\": \"" + ADAPTER + "\"}").then().statusCode(409);

        JsonNode job = awaitEnd(id);
        System.out.println("job " + job.path("status").asText() + ": progress " + job.path("progress") + ", phaseSeconds "
                + job.path("phaseSeconds") + ", error " + job.path("error"));
        assertThat(job.path("status").asText()).as("error: %s", job.path("error")).isEqualTo("SUCCEEDED");
        assertThat(job.path("registryVersion").asInt()).isEqualTo(1);
        assertThat(job.path("snapshot").path("trainRecords").asInt()).isEqualTo(20);
        assertThat(job.path("snapshot").path("evalRecords").asInt()).isEqualTo(3);
        int steps = job.path("progress").path("totalSteps").asInt();
        assertThat(job.path("progress").path("step").asInt()).isEqualTo(steps).isPositive();
        assertThat(job.path("progress").has("tokensPerSecond")).isTrue();
        assertThat(job.path("progress").has("etaSeconds")).isTrue();
        assertThat(job.path("lossCurve").size()).isEqualTo(steps);
        assertThat(job.path("lossCurve").get(steps - 1).path("loss").asDouble())
                .isLessThan(job.path("lossCurve").get(0).path("loss").asDouble());
        assertThat(job.path("phaseSeconds").path("train").asDouble()).isPositive();

        try (RegistryClient registry = new RegistryClient(JobServices.registryUrl, JobServices.registryAdminKey)) {
            VersionInfo v1 = registry.version(ADAPTER, 1);
            JsonNode metrics = v1.manifest().path("metrics");
            System.out.println("manifest metrics: " + metrics.toPrettyString());
            assertThat(v1.manifest().path("job").path("id").asText()).isEqualTo(id);
            assertThat(metrics.path("train_exact_match").asDouble()).as("knowledge injected").isGreaterThanOrEqualTo(0.9);
            assertThat(metrics.path("base").path("train_exact_match").asDouble()).as("the base model does not know the facts")
                    .isLessThanOrEqualTo(0.1);
            assertThat(metrics.path("train_token_f1").asDouble()).isGreaterThan(metrics.path("base").path("train_token_f1").asDouble());
            for (String f : List.of("eval_loss", "perplexity", "exact_match", "eval_token_f1", "train_token_f1")) {
                assertThat(metrics.path(f).isNumber()).as(f).isTrue();
            }
            assertThat(metrics.path("evalSet").asText()).startsWith(ADAPTER + "-eval-");
            assertThat(job.path("metrics")).isEqualTo(metrics);
            assertThat(v1.aliases()).contains("staging");

            // what is served: the registry's files, downloaded and verified, give the same answers through ONNX Runtime
            // (the job's own measure: greedy, reference tokens + 8 new tokens at most, normalised exact match)
            Path downloaded = registry.downloadVersion(v1, JobServices.workDir.resolve("downloaded-v1"));
            try (ServingModel serving = ServingModel.open(JobServices.checkpoint, JobServices.workDir.resolve("onnx-cache"), Precision.FP32, 0);
                 var ort = serving.loadAdapter("v1", downloaded)) {
                List<dev.ragtune.tuning.eval.EvalExample> examples = new ArrayList<>();
                for (int i = 0; i < facts.size(); i++) {
                    examples.add(new dev.ragtune.tuning.eval.EvalExample("fact-" + i, facts.get(i)));
                }
                var served = new dev.ragtune.tuning.eval.GreedyAnswerer(serving, 128).score(examples, ort);
                System.out.println("served from the registry's files: " + served);
                assertThat(served.exactMatch()).isEqualTo(metrics.path("train_exact_match").asDouble());
            }

            // acceptance 4: a job forced to a NaN loss fails and the registry shows no new version
            String nan = "{\"adapter\": \"" + ADAPTER + "\", \"fromScratch\": true, \"hyperparameters\":"
                    + " {\"alpha\": 1e20, \"learningRate\": 0.99, \"warmupRatio\": 0, \"epochs\": 1}}";
            JsonNode failed = awaitEnd(JSON.readTree(post(EmbeddedServices.OPS, nan).then().statusCode(202).extract().asString())
                    .path("id").asText());
            System.out.println("NaN job: " + failed.path("error").asText());
            assertThat(failed.path("status").asText()).isEqualTo("FAILED");
            assertThat(failed.path("error").asText()).contains("training diverged").contains("loss became");
            assertThat(failed.path("registryVersion").isNull()).isTrue();
            assertThat(registry.versions(ADAPTER)).hasSize(1);
            given().header("Authorization", "Bearer " + EmbeddedServices.OPS).post("/v1/jobs/" + failed.path("id").asText() + "/cancel")
                    .then().statusCode(409);

            // cancelling a running job: it stops at its next training step, nothing is published
            String running = JSON.readTree(post(EmbeddedServices.OPS, "{\"adapter\": \"" + ADAPTER + "\", \"fromScratch\": true}")
                    .then().statusCode(202).extract().asString()).path("id").asText();
            JsonNode training = get(running);
            for (int i = 0; i < 1200 && training.path("progress").path("step").asInt() < 1
                    && !training.path("status").asText().equals("FAILED"); i++) {
                Thread.sleep(100);
                training = get(running);
            }
            assertThat(training.path("phase").asText()).isEqualTo("TRAIN");
            given().header("Authorization", "Bearer " + EmbeddedServices.OPS).post("/v1/jobs/" + running + "/cancel")
                    .then().statusCode(202).body("cancelRequested", org.hamcrest.Matchers.equalTo(true));
            JsonNode cancelled = awaitEnd(running);
            assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
            assertThat(cancelled.path("progress").path("step").asInt()).isLessThan(cancelled.path("progress").path("totalSteps").asInt());
            assertThat(registry.versions(ADAPTER)).hasSize(1);

            // continual learning: promote v1; a new record; a job with the default hyperparameters starts from v1's weights
            // and trains on all 21 records. (A 2-epoch run at the default peak learning rate forgot half of v1's facts,
            // train_exact_match 0.95 → 0.48, and the staging rule refused it: see docs/tuning-worker.md.)
            registry.setAlias(ADAPTER, "production", 1, "test: promote v1", false);
            produce(List.of(List.of(ChatMessage.user("What colour is the Tarn of Elvo?"), ChatMessage.assistant("The Tarn of Elvo is copper."))),
                    false, "new-");
            awaitStored(24);
            JsonNode second = awaitEnd(JSON.readTree(post(EmbeddedServices.OPS,
                    "{\"adapter\": \"" + ADAPTER + "\"}").then().statusCode(202).extract().asString())
                    .path("id").asText());
            assertThat(second.path("status").asText()).as("error: %s", second.path("error")).isEqualTo("SUCCEEDED");
            assertThat(second.path("registryVersion").asInt()).isEqualTo(2);
            assertThat(second.path("parentVersion").asInt()).isEqualTo(1);
            assertThat(second.path("snapshot").path("trainRecords").asInt()).as("all accumulated records").isEqualTo(21);
            JsonNode m2 = registry.version(ADAPTER, 2).manifest();
            System.out.println("continual job metrics: " + m2.path("metrics").toPrettyString());
            assertThat(m2.path("parentVersion").asInt()).isEqualTo(1);
            assertThat(m2.path("training").path("initFromVersion").asInt()).isEqualTo(1);
            JsonNode prod = m2.path("metrics").path("production");
            assertThat(prod.path("version").asInt()).isEqualTo(1);
            // 21 sampled training records now, one of them new to v1: 18/21 = 0.857 is still 18 of the 20 old facts
            assertThat(prod.path("train_exact_match").asDouble()).as("production re-measured on this job's data").isGreaterThanOrEqualTo(0.85);
            assertThat(m2.path("metrics").path("train_exact_match").asDouble()).as("old facts retained, the new one learned")
                    .isGreaterThanOrEqualTo(0.9);
            JsonNode c = m2.path("metrics");
            boolean expectStaging = c.path("train_exact_match").asDouble() >= prod.path("train_exact_match").asDouble()
                    && c.path("exact_match").asDouble() >= prod.path("exact_match").asDouble()
                    && c.path("eval_loss").asDouble() <= prod.path("eval_loss").asDouble();
            assertThat(m2.path("staging").path("set").asBoolean()).isEqualTo(expectStaging);
            assertThat(registry.adapter(ADAPTER).orElseThrow().aliases().get("staging")).isEqualTo(expectStaging ? 2 : 1);
        }

        // the list, the datasets view and the metrics
        String list = given().header("Authorization", "Bearer " + EmbeddedServices.READER).get("/v1/jobs?adapter=" + ADAPTER)
                .then().statusCode(200).extract().asString();
        assertThat(JSON.readTree(list).size()).isEqualTo(4);
        given().header("Authorization", "Bearer " + EmbeddedServices.READER).get("/v1/datasets").then().statusCode(200)
                .body("find { it.adapter == '" + ADAPTER + "' }.newSinceLastJob", org.hamcrest.Matchers.equalTo(0));
        String prom = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(prom).contains("ragtune_worker_jobs_total{outcome=\"SUCCEEDED\"} 2.0")
                .contains("ragtune_worker_jobs_total{outcome=\"FAILED\"} 1.0")
                .contains("ragtune_worker_jobs_total{outcome=\"CANCELLED\"} 1.0")
                .contains("ragtune_worker_job_phase_seconds_count{phase=\"train\"}")
                .contains("ragtune_worker_training_tokens_per_second_count");
    }
}
