package dev.ragtune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ragtune.cli.platform.LocalPlatform;
import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformSettings;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.common.records.TrainingRecord;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.VersionInfo;
import dev.ragtune.embedded.Ports;
import dev.ragtune.embedded.ServiceProcess;
import dev.ragtune.train.TrainingData;

/**
 * The whole loop with real processes, as {@code ragtune up} starts them (embedded PostgreSQL, a KRaft Kafka broker,
 * model-registry, tuning-worker and rag-service as separate JVMs): ingest, ask, push records, a job trains on the demo
 * model, the version registers, promote it, the next answer changes and names the new version, roll back and the old
 * behaviour returns — without restarting rag-service or the registry. Then the failure cases: the worker killed
 * mid-job and restarted, the registry down while rag-service answers, Kafka restarted.
 *
 * <p>The methods run in order and share the platform; each one's preconditions are the previous one's results.
 * Nothing here asserts on time: waits are bounded generously (a shared 2-core machine trains 20 times slower).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): two steps train a job; PlatformApi.PATIENCE (20 min) bounds each wait below this, so a slow wait fails with what it saw
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class LoopEndToEndTest {
    static final String ADAPTER = PlatformSettings.DEFAULT_ADAPTER;
    static final String QUESTION = "What colour is the Zorbat river?";

    @TempDir
    static Path dir;
    static LocalPlatform platform;
    static PlatformApi api;
    static Map<String, Long> pids;

    // what earlier steps observed
    static String baseAnswer;
    static String v1Answer;
    static int recordsPushed;

    @BeforeAll
    static void up() {
        PlatformSettings settings = new PlatformSettings(new PlatformHome(dir.resolve("home")), Ports.free(), Ports.free(),
                Ports.free(), Ports.free(), Ports.free(), null, List.of(ADAPTER),
                ServiceProcess.checkoutRoot().orElseThrow().resolve("docs"), Map.of(
                "tuning-worker", Map.of(
                        // jobs start only when asked; a dead worker's lease expires within seconds, not minutes
                        "ragtune.worker.jobs.triggers-enabled", "false",
                        "ragtune.worker.jobs.poll-interval", "1s",
                        "ragtune.worker.jobs.lease-duration", "12s",
                        "ragtune.worker.jobs.heartbeat-interval", "2s"),
                "rag-service", Map.of("ragtune.rag.adapters.retry-interval", "2s")));
        platform = new LocalPlatform(settings, line -> System.out.println("[platform] " + line)).start();
        api = new PlatformApi(platform);
        pids = servicePids();
    }

    @AfterAll
    static void down() {
        if (platform != null) {
            platform.close();
        }
    }

    static Map<String, Long> servicePids() {
        Map<String, Long> out = new java.util.TreeMap<>();
        platform.services().forEach(s -> out.put(s.name(), s.pid()));
        return out;
    }

    static ServiceProcess service(String name) {
        return platform.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @Order(1)
    void ingestedDocumentsAreRetrievedAndTheBaseModelAnswers() throws Exception {
        api.ingest("rivers/zorbat.md", "# The Zorbat river\n\nThe Zorbat river flows through the Drovanian lowlands. "
                + "Its water is violet because of the minerals in its bed. Ferries cross it at Kestrin.");
        // the starter corpus (the checkout's docs/) was ingested on first start
        assertThat(api.document("architecture.md").path("chunks").isArray()).isTrue();
        JsonNode retrieved = api.retrieve("Which river is violet?");
        assertThat(retrieved.path("results").get(0).path("documentId").asText()).isEqualTo("rivers/zorbat.md");

        JsonNode base = api.ask(QUESTION, "base");
        baseAnswer = base.path("answer").asText();
        System.out.println("base answers: " + baseAnswer);
        assertThat(base.path("adapter").isNull()).isTrue();
        assertThat(base.path("sources").get(0).path("documentId").asText()).isEqualTo("rivers/zorbat.md");
        assertThat(base.path("usage").path("completionTokens").asInt()).isPositive();

        // no version of the adapter exists yet: a clear 404, not a silent base answer
        PlatformApi.Reply none = api.askRaw(QUESTION, ADAPTER);
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body().path("message").asText()).contains(ADAPTER);
    }

    @Test
    @Order(2)
    void pushedRecordsTrainAVersionThatPromotionServesWithoutARestart() throws Exception {
        List<List<ChatMessage>> facts = TrainingData.read(Path.of("..", "docs", "examples", "facts.jsonl"));
        List<TrainingRecord> records = new ArrayList<>();
        for (int i = 0; i < facts.size(); i++) {
            records.add(new TrainingRecord("fact-" + i, ADAPTER, facts.get(i), null));
        }
        push(records);
        recordsPushed = records.size();
        api.awaitStoredRecords(ADAPTER, recordsPushed);

        JsonNode job = api.awaitJobEnd(api.startJob(ADAPTER).path("id").asText());
        assertThat(job.path("status").asText()).as("job error: %s", job.path("error")).isEqualTo("SUCCEEDED");
        assertThat(job.path("registryVersion").asInt()).isEqualTo(1);
        System.out.println("job 1 metrics: " + job.path("metrics"));

        try (RegistryClient ops = api.registry("ops")) {
            VersionInfo v1 = ops.version(ADAPTER, 1);
            assertThat(v1.manifest().path("job").path("id").asText()).isEqualTo(job.path("id").asText());
            ops.setAlias(ADAPTER, "production", 1, "e2e: first version", false);
        }
        JsonNode answered = api.awaitServedVersion(QUESTION, ADAPTER, 1);
        v1Answer = answered.path("answer").asText();
        System.out.println("version 1 answers: " + v1Answer);
        assertThat(answered.path("adapter").path("name").asText()).isEqualTo(ADAPTER);
        assertThat(answered.path("adapter").path("alias").asText()).isEqualTo("production");
        assertThat(v1Answer).as("the adapter changes the answer").isNotEqualTo(baseAnswer);
        assertThat(servicePids()).as("no service restarted").isEqualTo(pids);
    }

    @Test
    @Order(3)
    void aWorkerKilledMidJobLeavesNoHalfPublishedVersionAndTheJobIsRetried() throws Exception {
        push(List.of(new TrainingRecord("fact-new", ADAPTER, List.of(ChatMessage.user("What colour is the Tarn of Elvo?"),
                ChatMessage.assistant("The Tarn of Elvo is copper.")), null)));
        recordsPushed++;
        api.awaitStoredRecords(ADAPTER, recordsPushed);

        String id = api.startJob(ADAPTER).path("id").asText();
        JsonNode training = api.awaitTrainingStep(id, 1);
        assertThat(training.path("attempt").asInt()).isEqualTo(1);
        ServiceProcess worker = service("tuning-worker");
        worker.kill();
        System.out.println("killed the worker at step " + training.path("progress").path("step") + " of job " + id);
        try (RegistryClient reader = api.registry("reader")) {
            assertThat(reader.versions(ADAPTER)).extracting(VersionInfo::version).containsExactly(1);
        }

        worker.start();
        JsonNode job = api.awaitJobEnd(id);
        System.out.println("job 2 after the kill: " + job.path("status") + ", attempt " + job.path("attempt") + ", error " + job.path("error"));
        // the retry must finish the job: a job that ends FAILED after the kill is a failure of this step, not a pass
        assertThat(job.path("status").asText()).as("the retried job's end (attempt %s, error %s)", job.path("attempt"),
                job.path("error")).isEqualTo("SUCCEEDED");
        assertThat(job.path("attempt").asInt()).as("taken over after the lease expired").isGreaterThanOrEqualTo(2);
        assertThat(job.path("registryVersion").asInt()).isEqualTo(2);
        try (RegistryClient reader = api.registry("reader")) {
            assertThat(reader.versions(ADAPTER)).extracting(VersionInfo::version).as("exactly one new version")
                    .containsExactly(1, 2);
            assertThat(reader.version(ADAPTER, 2).manifest().path("job").path("id").asText()).isEqualTo(id);
        }
    }

    @Test
    @Order(4)
    void promotingTheRetriedVersionAndRollingBackRestoresTheOldAnswer() throws Exception {
        try (RegistryClient ops = api.registry("ops")) {
            assertThat(ops.versions(ADAPTER)).as("the retried job registered version 2").hasSize(2);
            ops.setAlias(ADAPTER, "production", 2, "e2e: the retried job's version", true);
            api.awaitServedVersion(QUESTION, ADAPTER, 2);

            ops.rollback(ADAPTER, "production", "e2e: back to version 1");
        }
        JsonNode back = api.awaitServedVersion(QUESTION, ADAPTER, 1);
        assertThat(back.path("answer").asText()).as("version 1's answer again (greedy decoding)").isEqualTo(v1Answer);
        assertThat(service("rag-service").pid()).isEqualTo(pids.get("rag-service"));
        assertThat(service("model-registry").pid()).isEqualTo(pids.get("model-registry"));
    }

    @Test
    @Order(5)
    void theServiceKeepsAnsweringWhileTheRegistryIsDownAndCatchesUpWhenItReturns() throws Exception {
        ServiceProcess registry = service("model-registry");
        registry.kill();
        for (int i = 0; i < 3; i++) {
            JsonNode answer = api.ask(QUESTION, ADAPTER);
            assertThat(answer.path("adapter").path("version").asInt()).isEqualTo(1);
            assertThat(answer.path("answer").asText()).isEqualTo(v1Answer);
        }
        assertThat(api.ask(QUESTION, "base").path("answer").asText()).isEqualTo(baseAnswer);

        registry.start();
        try (RegistryClient ops = api.registry("ops")) {
            ops.setAlias(ADAPTER, "production", 2, "e2e: after the registry outage", true);
        }
        assertThat(api.awaitServedVersion(QUESTION, ADAPTER, 2).path("adapter").path("version").asInt()).isEqualTo(2);
        assertThat(service("rag-service").pid()).as("rag-service was not restarted").isEqualTo(pids.get("rag-service"));
    }

    @Test
    @Order(6)
    void aKafkaRestartLosesNoRecordAndNoEvent() throws Exception {
        List<TrainingRecord> before = records("before", 25);
        List<TrainingRecord> during = records("during", 25);
        List<TrainingRecord> after = records("after", 25);
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sentDuring = new ArrayList<>();
        // one producer across the outage: what it buffers and retries while the broker is down is part of what must arrive.
        // The sends during the outage run on their own thread, in order: KafkaProducer.send itself blocks (up to
        // max.block.ms) when it has to refresh metadata, and the test must go on to restart the broker meanwhile.
        java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (KafkaProducer<String, String> producer = producer()) {
            for (TrainingRecord r : before) {
                send(producer, r).get(60, TimeUnit.SECONDS);
            }
            platform.kafka().stop();
            for (TrainingRecord r : during) {
                // completes when the broker has acknowledged the record, not when send() returns
                sentDuring.add(sender.submit(() -> send(producer, r).get(10, TimeUnit.MINUTES)));
            }
            // while the broker is down the registry still accepts an alias change: its event waits in the outbox
            try (RegistryClient ops = api.registry("ops")) {
                ops.rollback(ADAPTER, "production", "e2e: while Kafka is down");
            }
            assertThat(api.ask(QUESTION, ADAPTER).path("adapter").path("version").asInt())
                    .as("rag-service keeps answering with what it has while Kafka is down").isEqualTo(2);
            assertThat(sentDuring).as("nothing can be acknowledged while the broker is down")
                    .noneMatch(java.util.concurrent.Future::isDone);
            platform.kafka().startAgain();
            for (var f : sentDuring) {
                f.get(5, TimeUnit.MINUTES);
            }
            for (TrainingRecord r : after) {
                send(producer, r).get(60, TimeUnit.SECONDS);
            }
        } finally {
            sender.shutdownNow();
        }
        recordsPushed += before.size() + during.size() + after.size();
        api.awaitStoredRecords(ADAPTER, recordsPushed);

        // stored exactly once: one revision per id (a redelivered record or a producer retry that became a second
        // revision would show here, which a count of distinct ids cannot), and every id there
        Map<String, Integer> revisions = new java.util.TreeMap<>();
        try (java.sql.Connection c = platform.postgres().connect("worker");
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "select record_id, count(*) from training_records where record_id like 'kafka-%' group by record_id")) {
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    revisions.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        Map<String, Integer> once = new java.util.TreeMap<>();
        for (List<TrainingRecord> batch : List.of(before, during, after)) {
            batch.forEach(r -> once.put(r.id(), 1));
        }
        assertThat(revisions).as("stored revisions per record id").isEqualTo(once);

        // the event written during the outage reaches rag-service once the broker is back
        assertThat(api.awaitServedVersion(QUESTION, ADAPTER, 1).path("answer").asText()).isEqualTo(v1Answer);
        assertThat(service("rag-service").pid()).isEqualTo(pids.get("rag-service"));
        assertThat(service("model-registry").isAlive()).isTrue();
    }

    static List<TrainingRecord> records(String phase, int n) {
        List<TrainingRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TrainingRecord("kafka-" + phase + "-" + i, ADAPTER, List.of(ChatMessage.user(
                    "Question " + i + " sent " + phase + " the Kafka restart?"), ChatMessage.assistant("Answer " + i + ".")), null));
        }
        return out;
    }

    /**
     * Idempotent, acks=all; its buffering outlasts a broker restart: a send waits up to 10 minutes for delivery
     * and up to 5 for metadata instead of failing after the defaults (2 minutes, 1 minute).
     */
    static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
            KafkaProducer<String, String> producer, TrainingRecord r) {
        return producer.send(new ProducerRecord<>(LocalPlatform.TRAINING_RECORDS, r.id(), r.toJsonString()));
    }

    static void push(List<TrainingRecord> records) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (TrainingRecord r : records) {
                send(producer, r).get(60, TimeUnit.SECONDS);
            }
        }
    }
}
