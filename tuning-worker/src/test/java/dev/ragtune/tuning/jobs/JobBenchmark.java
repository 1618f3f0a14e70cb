package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.common.manifest.MetricNames;
import dev.ragtune.common.manifest.VersionManifest;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.model.checkpoint.CheckpointCounters;
import dev.ragtune.model.checkpoint.CheckpointCounters.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark, run by hand (never asserted): two jobs, one after the other on the same executor, on the tiny demo model
 * (20 invented facts for training, 3 for eval, default hyperparameters; the second job is another adapter with the
 * same records) against a real PostgreSQL, Kafka and model-registry; prints, per job, the training tokens/s, the wall
 * time of each phase and what the job spent opening/hashing the checkpoint, loading its tokenizer and exporting it to
 * ONNX ({@link CheckpointCounters}: inside the train and eval phases), and writes them to
 * {@code tuning-worker/target/benchmark-jobs.txt}.
 *
 * <pre>./mvnw -B -ntp -pl tuning-worker -am verify -Dtest=JobBenchmark -Dragtune.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfSystemProperty(named = "ragtune.bench", matches = "true")
class JobBenchmark {
    @TempDir
    Path dir;

    @Test
    void twoJobsOnTheTinyModel() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (PostgresServer pg = PostgresServer.start();
             KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), 0)) {
            kafka.createTopics("adapter-events");
            try (ModelRegistryProcess registry = ModelRegistryProcess.start(pg, kafka, dir.resolve("registry"));
                 RegistryClient client = new RegistryClient(registry.baseUrl(), registry.key("admin"))) {
                DataSource db = TestDatabase.create(pg, "worker_bench");
                Path ckpt = dir.resolve("tiny");
                DemoCheckpointWriter.write(ckpt, DemoPreset.TINY, 7);
                List<List<ChatMessage>> facts = StoredRecords.facts();
                for (int i = 0; i < facts.size(); i++) {
                    StoredRecords.insert(db, "bench", "bench-fact-" + i, facts.get(i), 5000);
                }
                for (int i = 0; i < 3; i++) {
                    StoredRecords.insert(db, "bench", "bench-eval-" + i, List.of(ChatMessage.user("What is held-out fact " + i + "?"),
                            ChatMessage.assistant("Held-out fact " + i + " is unknown.")), 1);
                }
                for (int i = 0; i < facts.size(); i++) {
                    StoredRecords.insert(db, "bench2", "bench2-fact-" + i, facts.get(i), 5000);
                }
                for (int i = 0; i < 3; i++) {
                    StoredRecords.insert(db, "bench2", "bench2-eval-" + i, List.of(ChatMessage.user("What is held-out fact " + i + "?"),
                            ChatMessage.assistant("Held-out fact " + i + " is unknown.")), 1);
                }
                JobStore store = new JobStore(db, json);
                JobSettings settings = JobSettings.defaults(ckpt, dir.resolve("work"));
                JobExecutor worker = new JobExecutor(store, new JdbcRecordSource(db, json, b -> b < 1000), client, settings,
                        JobObserver.NONE, "bench");
                StringBuilder report = new StringBuilder();
                for (String adapter : List.of("bench", "bench2")) {
                    Job queued = store.create(adapter, JobTrigger.MANUAL, null);
                    CheckpointCounters.Snapshot before = CheckpointCounters.snapshot();
                    long t0 = System.nanoTime();
                    worker.runNext();
                    double wall = (System.nanoTime() - t0) / 1e9;
                    CheckpointCounters.Snapshot c = CheckpointCounters.snapshot().since(before);
                    Job job = store.find(queued.id()).orElseThrow();
                    JsonNode m = client.version(adapter, job.registryVersion()).manifest();
                    JsonNode p = job.phaseSeconds();
                    report.append(String.format(Locale.ROOT,
                            "job of %s %s on the tiny demo model (%d train / %d eval records, %d steps, device %s)%n"
                                    + "training tokens/s %.0f%n"
                                    + "phases (s): snapshot %.2f, train %.2f, eval %.2f, package %.2f, publish %.2f; total %.2f (runNext wall %.2f)%n"
                                    + "inside train/eval: open %d (%.3f s), hash %d (%.3f s), tokenizer load %d (%.3f s); onnx export %d (%.3f s)%n"
                                    + "train_exact_match %.2f (base %.2f), exact_match %.2f, eval_loss %.3f%n",
                            adapter, job.status(), job.trainRecords(), job.evalRecords(), m.path("training").path("steps").asInt(),
                            m.path("training").path("device").asText(), m.path("training").path("tokensPerSecond").asDouble(),
                            p.path("snapshot").asDouble(), p.path("train").asDouble(), p.path("eval").asDouble(),
                            p.path("package").asDouble(), p.path("publish").asDouble(), p.path("total").asDouble(), wall,
                            c.count(Operation.OPEN), c.seconds(Operation.OPEN), c.count(Operation.HASH), c.seconds(Operation.HASH),
                            c.count(Operation.TOKENIZER_LOAD), c.seconds(Operation.TOKENIZER_LOAD),
                            c.count(Operation.ONNX_EXPORT), c.seconds(Operation.ONNX_EXPORT),
                            VersionManifest.metrics(m).path(MetricNames.TRAIN_EXACT_MATCH).asDouble(),
                            VersionManifest.metrics(m).path(MetricNames.BASE).path(MetricNames.TRAIN_EXACT_MATCH).asDouble(),
                            VersionManifest.metrics(m).path(MetricNames.EXACT_MATCH).asDouble(),
                            VersionManifest.metrics(m).path(MetricNames.EVAL_LOSS).asDouble()));
                }
                System.out.print(report);
                Files.writeString(Path.of("target", "benchmark-jobs.txt"), report);
            }
        }
    }
}
