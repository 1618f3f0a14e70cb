package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.model.base.BaseModel;
import dev.ragtune.model.base.BaseModelCache;
import dev.ragtune.model.checkpoint.CheckpointCounters;
import dev.ragtune.model.checkpoint.CheckpointCounters.Operation;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job opens and hashes its base model once: training, evaluation and the ONNX export share one handle. A second
 * job on the unchanged checkpoint opens and hashes nothing (the executor's {@link BaseModelCache} keeps the handle); a
 * changed file makes the next job open it again, while the stale handle stays usable by whoever holds it. Real
 * PostgreSQL, DJL training, ONNX Runtime and model-registry, as in {@link JobPipelineTest}, with small jobs
 * (4 training records, one epoch, 2 sampled records, short answers).
 */
class BaseModelPerJobTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static PostgresServer pg;
    static KafkaBroker kafka;
    static ModelRegistryProcess registry;
    static RegistryClient client;
    static DataSource db;
    static JobStore store;
    static Path checkpoint;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        kafka = KafkaBroker.start(dir.resolve("kafka"), 0);
        kafka.createTopics("adapter-events");
        registry = ModelRegistryProcess.start(pg, kafka, dir.resolve("registry"));
        client = new RegistryClient(registry.baseUrl(), registry.key("admin"));
        db = TestDatabase.create(pg, "worker_base_model");
        store = new JobStore(db, JSON);
        checkpoint = dir.resolve("tiny");
        DemoCheckpointWriter.write(checkpoint, DemoPreset.TINY, 7);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aJobOpensAndHashesItsBaseModelOnce() throws Exception {
        JobSettings settings = new JobSettings(checkpoint, null, dir.resolve("work"), Duration.ofSeconds(30), Duration.ofSeconds(1),
                3, false, 2, 16, Duration.ofMillis(200), Duration.ofSeconds(1), 42L);
        try (BaseModelCache cache = new BaseModelCache()) {
            JobExecutor worker = new JobExecutor(store, new JdbcRecordSource(db, JSON, b -> b < 1000), client, settings,
                    JobObserver.NONE, "worker-once", cache);

            CheckpointCounters.Snapshot first = runJob(worker, "once-a");
            assertThat(first.count(Operation.OPEN)).as("checkpoint opened (%s)", first).isEqualTo(1);
            assertThat(first.count(Operation.HASH)).as("weights hashed (%s)", first).isEqualTo(1);
            assertThat(first.count(Operation.TOKENIZER_LOAD)).as("tokenizer loaded (%s)", first).isEqualTo(1);
            assertThat(first.count(Operation.ONNX_EXPORT)).as("exported (%s)", first).isEqualTo(1);
            assertThat(cache.opens()).isEqualTo(1);

            CheckpointCounters.Snapshot second = runJob(worker, "once-b");
            assertThat(second.count(Operation.OPEN)).as("unchanged checkpoint: nothing opened (%s)", second).isZero();
            assertThat(second.count(Operation.HASH)).as("unchanged checkpoint: nothing hashed (%s)", second).isZero();
            assertThat(second.count(Operation.TOKENIZER_LOAD)).as("%s", second).isZero();
            assertThat(second.count(Operation.ONNX_EXPORT)).as("the export is cached by content hash (%s)", second).isZero();
            assertThat(cache.opens()).isEqualTo(1);

            // what the records pipeline holds from start-up: the same handle as the jobs (its tokenizer only)
            try (BaseModel records = cache.acquire(checkpoint)) {
                assertThat(cache.opens()).isEqualTo(1);
                // a changed tokenizer file (not part of the content hash): the handle is stale, the next job opens the folder again
                Path tokenizerConfig = checkpoint.resolve("tokenizer_config.json");
                Files.writeString(tokenizerConfig, Files.readString(tokenizerConfig) + "\n");
                assertThat(records.isCurrent()).isFalse();
                CheckpointCounters.Snapshot third = runJob(worker, "once-c");
                assertThat(third.count(Operation.OPEN)).as("changed checkpoint: opened again (%s)", third).isEqualTo(1);
                assertThat(third.count(Operation.HASH)).as("changed checkpoint: hashed again (%s)", third).isEqualTo(1);
                assertThat(third.count(Operation.TOKENIZER_LOAD)).as("%s", third).isEqualTo(1);
                assertThat(third.count(Operation.ONNX_EXPORT)).as("same content hash: the cached export is reused (%s)", third).isZero();
                assertThat(cache.opens()).isEqualTo(2);
                // the stale handle stays usable by whoever still holds it
                assertThat(records.tokenizer().countTrainingTokens(List.of(ChatMessage.user("Q?"), ChatMessage.assistant("A."))))
                        .isPositive();
            }
        }
    }

    /** Runs one short job of a new adapter to success; what it opened, hashed, loaded and exported. */
    private static CheckpointCounters.Snapshot runJob(JobExecutor worker, String adapter) throws Exception {
        List<List<ChatMessage>> facts = StoredRecords.facts();
        for (int i = 0; i < 4; i++) {
            StoredRecords.insert(db, adapter, adapter + "-fact-" + i, facts.get(i), 5000);
        }
        StoredRecords.insert(db, adapter, adapter + "-eval-0", List.of(ChatMessage.user("What colour is the Plimsk lake?"),
                ChatMessage.assistant("The Plimsk lake is amber.")), 10);
        ObjectNode oneEpoch = JSON.createObjectNode();
        oneEpoch.putObject("hyperparameters").put("epochs", 1);
        Job queued = store.create(adapter, JobTrigger.MANUAL, JobOverrides.validate(oneEpoch));
        CheckpointCounters.Snapshot before = CheckpointCounters.snapshot();
        assertThat(worker.runNext()).isTrue();
        CheckpointCounters.Snapshot during = CheckpointCounters.snapshot().since(before);
        Job job = store.find(queued.id()).orElseThrow();
        assertThat(job.status()).as("error: %s", job.error()).isEqualTo(JobStatus.SUCCEEDED);
        System.out.println("job of " + adapter + ": " + during);
        return during;
    }
}
