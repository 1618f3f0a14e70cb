package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.common.manifest.MetricNames;
import dev.ragtune.common.manifest.VersionManifest;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.VersionInfo;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.tuning.publish.AdapterPackage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs end to end without mocks: records in a real PostgreSQL, real DJL training and ONNX Runtime
 * evaluation on the tiny demo model, publishing to the real model-registry (a child JVM on its own
 * PostgreSQL database and a real Kafka broker).
 */
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): the pipeline steps with a fake trainer; under a minute alone
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class JobPipelineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static PostgresServer pg;
    static KafkaBroker kafka;
    static ModelRegistryProcess registry;
    static RegistryClient client;
    static DataSource db;
    static JobStore store;
    static JobSettings settings;
    static Path checkpoint;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        kafka = KafkaBroker.start(dir.resolve("kafka"), 0);
        kafka.createTopics("adapter-events");
        registry = ModelRegistryProcess.start(pg, kafka, dir.resolve("registry"));
        client = new RegistryClient(registry.baseUrl(), registry.key("admin"));
        db = TestDatabase.create(pg, "worker_jobs");
        store = new JobStore(db, JSON);
        checkpoint = dir.resolve("tiny");
        DemoCheckpointWriter.write(checkpoint, DemoPreset.TINY, 7);
        settings = JobSettings.defaults(checkpoint, dir.resolve("work"))
                .withLease(Duration.ofSeconds(30), Duration.ofSeconds(1))
                .withPublishBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
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

    static JobExecutor executor(String owner) {
        return new JobExecutor(store, new JdbcRecordSource(db, JSON, b -> b < 1000), client, settings, JobObserver.NONE, owner);
    }

    /** The 20 invented facts as training records, and three more invented facts as eval records. */
    static void storeFacts(String adapter) throws Exception {
        List<List<ChatMessage>> facts = StoredRecords.facts();
        for (int i = 0; i < facts.size(); i++) {
            StoredRecords.insert(db, adapter, adapter + "-fact-" + i, facts.get(i), 5000);
        }
        String[][] held = {{"What colour is the Plimsk lake?", "The Plimsk lake is amber."},
                {"Who wrote the Ostravel codex?", "The Ostravel codex was written by Maren Tuul."},
                {"What is the capital of Vendara?", "The capital of Vendara is Lusk."}};
        for (int i = 0; i < held.length; i++) {
            StoredRecords.insert(db, adapter, adapter + "-eval-" + i, List.of(ChatMessage.user(held[i][0]), ChatMessage.assistant(held[i][1])), 10 + i);
        }
    }

    /**
     * The mechanics of a whole job, kept short (one epoch: whether the facts are learned is {@code JobApiTest}'s
     * acceptance check, with the default hyperparameters): every phase runs and is timed, the version's
     * manifest and files are complete, {@code staging} is set (no production yet), nothing is left on disk.
     */
    @Test
    void aShortJobRunsEveryPhaseAndPublishesACompleteVersion() throws Exception {
        String adapter = "short-bot";
        storeFacts(adapter);
        ObjectNode oneEpoch = JSON.createObjectNode();
        oneEpoch.putObject("hyperparameters").put("epochs", 1);
        Job queued = store.create(adapter, JobTrigger.MANUAL, JobOverrides.validate(oneEpoch));
        assertThat(executor("worker-e2e").runNext()).isTrue();

        Job job = store.find(queued.id()).orElseThrow();
        assertThat(job.status()).as("error: %s", job.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.registryVersion()).isEqualTo(1);
        assertThat(job.error()).isNull();
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.snapshotMinSeq()).as("no earlier job of this adapter").isEqualTo(1);
        assertThat(job.trainRecords()).isEqualTo(20);
        assertThat(job.evalRecords()).isEqualTo(3);
        assertThat(job.parentVersion()).isNull();
        int steps = job.progress().path("totalSteps").asInt();
        assertThat(steps).isEqualTo(10);   // 20 records, batch 2, one epoch
        assertThat(job.progress().path("step").asInt()).isEqualTo(steps);
        assertThat(job.lossCurve().size()).isEqualTo(steps);
        for (String phase : List.of("snapshot", "train", "eval", "package", "publish")) {
            assertThat(job.phaseSeconds().path(phase).isNumber()).as("phase %s timed", phase).isTrue();
        }
        assertThat(Files.exists(settings.jobDir(job.id()))).as("work files removed after publishing").isFalse();

        VersionInfo v = client.version(adapter, 1);
        JsonNode m = v.manifest();
        JsonNode metrics = m.path("metrics");
        assertThat(m.path("job").path("id").asText()).isEqualTo(job.id().toString());
        assertThat(m.path("job").path("trigger").asText()).isEqualTo("MANUAL");
        assertThat(m.path("snapshot").path("maxSeq").asLong()).isEqualTo(job.snapshotMaxSeq());
        assertThat(m.path("snapshot").path("minSeq").asLong()).isEqualTo(job.snapshotMinSeq());
        assertThat(m.path("hyperparameters").path("epochs").asInt()).isEqualTo(1);
        assertThat(m.path("hyperparameters").path("rank").asInt()).isEqualTo(16);
        assertThat(m.path("training").path("steps").asInt()).isEqualTo(steps);
        // the trainer's device choice: CUDA when PyTorch sees a GPU, else the CPU (no GPU on the development machine)
        assertThat(m.path("training").path("device").asText()).isEqualTo(dev.ragtune.train.TrainingRun.defaultDevice().toString());
        assertThat(m.has("parentVersion")).isFalse();
        assertThat(metrics.path("evalSet").asText()).isEqualTo(job.evalSet()).startsWith(adapter + "-eval-");
        for (String f : List.of("eval_loss", "perplexity", "exact_match", "eval_token_f1", "train_exact_match", "train_token_f1")) {
            assertThat(metrics.path(f).isNumber()).as(f).isTrue();
            assertThat(metrics.path("base").path(f).isNumber()).as("base " + f).isTrue();
        }
        assertThat(metrics.path("perplexity").asDouble()).isCloseTo(Math.exp(metrics.path("eval_loss").asDouble()),
                org.assertj.core.api.Assertions.within(1e-6 * metrics.path("perplexity").asDouble()));
        assertThat(metrics.path("eval_examples").asInt()).isEqualTo(3);
        assertThat(metrics.path("train_sample_examples").asInt()).isEqualTo(20);
        assertThat(metrics.path("production").isNull()).isTrue();
        assertThat(job.metrics()).isEqualTo(metrics);
        assertThat(v.files()).extracting(VersionInfo.FileInfo::name).containsExactlyInAnyOrderElementsOf(AdapterPackage.FILES);
        assertThat(v.aliases()).as("no production to compare with: staging").contains("staging");
        assertThat(m.path("staging").path("set").asBoolean()).isTrue();
    }

    @Test
    void aDivergingJobFailsAndPublishesNothing() throws Exception {
        String adapter = "nan-bot";
        storeFacts(adapter);
        ObjectNode overrides = JSON.createObjectNode();
        // LoRA scale alpha/r = 6e18 with the largest allowed learning rate and no warm-up: the first update makes the
        // adapter's contribution overflow float32, so the loss of the second step is NaN (on this CPU build, deterministically)
        overrides.putObject("hyperparameters").put("alpha", 1e20).put("learningRate", 0.99).put("warmupRatio", 0.0).put("epochs", 1);
        Job queued = store.create(adapter, JobTrigger.MANUAL, JobOverrides.validate(overrides));
        assertThat(executor("worker-nan").runNext()).isTrue();

        Job job = store.find(queued.id()).orElseThrow();
        System.out.println("diverged job: " + job.error());
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.error()).contains("training diverged").contains("loss became");
        assertThat(job.registryVersion()).isNull();
        assertThat(job.finishedAt()).isNotNull();
        assertThat(client.adapter(adapter)).as("nothing registered for the adapter").isEmpty();
        assertThat(Files.exists(settings.jobDir(job.id()))).isFalse();
    }
    /** A complete package as a job leaves it before publishing (a random non-zero adapter, no training). */
    static AdapterPackage fakePackage(Path pkgDir, Job job) throws Exception {
        Path adapterDir = dir.resolve("fake-" + job.id());
        try (var ckpt = dev.ragtune.model.checkpoint.Checkpoint.open(checkpoint)) {
            var lora = dev.ragtune.model.lora.LoraAdapter.zeros(new dev.ragtune.model.lora.LoraConfig(4, 8,
                    dev.ragtune.model.checkpoint.LinearModule.all()), ckpt.config());
            java.util.Random r = new java.util.Random(job.id().hashCode());
            for (int l = 0; l < lora.numLayers(); l++) {
                for (var mod : dev.ragtune.model.checkpoint.LinearModule.all()) {
                    float[] a = new float[lora.a(l, mod).length];
                    float[] b = new float[lora.b(l, mod).length];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextGaussian() * 0.1f;
                    }
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (float) r.nextGaussian() * 0.1f;
                    }
                    lora.set(l, mod, a, b);
                }
            }
            lora = lora.withConfig(lora.config().withBase(checkpoint.toString(), ckpt.contentHash()));
            dev.ragtune.model.lora.PeftAdapterIO.write(lora, adapterDir);
            dev.ragtune.model.lora.OnnxAdapterWriter.write(lora, adapterDir.resolve(dev.ragtune.model.lora.OnnxAdapterWriter.FILE_NAME), false);
            ObjectNode manifest = JSON.createObjectNode();
            manifest.putObject("job").put("id", job.id().toString());
            manifest.put("baseModel", "tiny-test").put("baseModelSha256", ckpt.contentHash())
                    .put("baseModelArchitecture", "LlamaForCausalLM").put("baseModelLocation", checkpoint.toString());
            manifest.putObject(VersionManifest.METRICS).put(MetricNames.EVAL_SET, job.adapter() + "-eval-test").put(MetricNames.EXACT_MATCH, 0.5);
            manifest.putObject("staging").put("set", true).put("reason", "test package");
            return AdapterPackage.write(pkgDir, adapterDir, JSON.createObjectNode().put("test", true), manifest);
        }
    }

    /** Claims the job as a worker that then "dies": its lease (300 ms) is never renewed. */
    static Job claimAndDie(String adapter) {
        Job queued = store.create(adapter, JobTrigger.MANUAL, null);
        Job claimed = store.claim("dead-worker", Duration.ofMillis(300)).orElseThrow();
        assertThat(claimed.id()).isEqualTo(queued.id());
        return claimed;
    }

    /** Runs the next job once the dead worker's lease has expired; bounded by wall-clock time, not an iteration count. */
    static boolean runOnceLeaseExpired(JobExecutor worker) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (worker.runNext()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void aJobWhoseWorkerDiedAfterUploadingIsNotPublishedTwice() throws Exception {
        String adapter = "crash-bot";
        Job dead = claimAndDie(adapter);
        // the dead worker's upload went through before it died
        AdapterPackage pkg = fakePackage(dir.resolve("crash-package"), dead);
        client.ensureBaseModel("tiny-test", "LlamaForCausalLM", checkpoint.toString(), "0".repeat(64), "test");
        client.ensureAdapter(adapter, "tiny-test", "test");
        VersionInfo uploaded = client.registerVersion(adapter, pkg.manifest(), pkg.files());

        assertThat(runOnceLeaseExpired(executor("survivor"))).isTrue();
        Job job = store.find(dead.id()).orElseThrow();
        assertThat(job.status()).as("error: %s", job.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.registryVersion()).isEqualTo(uploaded.version());
        assertThat(client.versions(adapter)).as("no second upload").hasSize(1);
    }

    @Test
    void anUnreachableRegistryIsRetriedWithTheErrorVisibleAndThePackageKept() throws Exception {
        String adapter = "outage-bot";
        Job dead = claimAndDie(adapter);
        store.recordSnapshot(dead.id(), "dead-worker", 1, 1, 1, 0, adapter + "-eval-test", null, adapter);
        Path pkgDir = settings.jobDir(dead.id()).resolve(JobExecutor.PACKAGE_DIR);
        fakePackage(pkgDir, store.find(dead.id()).orElseThrow());

        registry.process().stop();
        java.util.concurrent.ExecutorService bg = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var run = bg.submit(() -> runOnceLeaseExpired(executor("survivor")));
            Job during = null;
            for (int i = 0; i < 600; i++) {
                Thread.sleep(100);
                during = store.find(dead.id()).orElseThrow();
                if (during.error() != null && during.error().contains("registry unavailable")) {
                    break;
                }
            }
            System.out.println("while the registry is down: " + during.status() + " " + during.phase() + " " + during.error());
            assertThat(during.error()).contains("registry unavailable");
            assertThat(during.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(during.leaseOwner()).isEqualTo("survivor");
            assertThat(AdapterPackage.existing(pkgDir)).as("the package stays on disk until published").isPresent();

            registry.process().start();
            assertThat(run.get(5, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        } finally {
            bg.shutdownNow();
            registry.process().start();
        }
        Job job = store.find(dead.id()).orElseThrow();
        assertThat(job.status()).as("error: %s", job.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.error()).isNull();
        VersionInfo v = client.version(adapter, job.registryVersion());
        assertThat(v.manifest().path("job").path("id").asText()).isEqualTo(dead.id().toString());
        assertThat(v.aliases()).contains("staging");
        assertThat(client.versions(adapter)).hasSize(1);
        assertThat(Files.exists(pkgDir)).isFalse();
    }
}
