package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.common.manifest.MetricNames;
import dev.ragtune.model.base.BaseModel;
import dev.ragtune.model.base.BaseModelCache;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.RegistryException;
import dev.ragtune.common.registry.VersionInfo;
import dev.ragtune.tuning.eval.Evaluator;
import dev.ragtune.tuning.eval.ModelEvaluation;
import dev.ragtune.tuning.publish.AdapterPackage;
import dev.ragtune.tuning.publish.AdapterPublisher;
import dev.ragtune.tuning.publish.RegistryRetry;
import dev.ragtune.tuning.publish.StagingRule;
import dev.ragtune.train.ProgressListener;
import dev.ragtune.train.TrainingDivergedException;
import dev.ragtune.train.TrainingMetrics;
import dev.ragtune.train.TrainingOptions;
import dev.ragtune.train.TrainingResult;
import dev.ragtune.train.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs claimed jobs on this worker, one phase after the other:
 * <ol>
 *   <li>{@code SNAPSHOT}: the adapter's records up to a seq high-water mark (kept in the job row, so a
 *       retried attempt trains on the same records), split into train / eval / fixed train sample
 *       ({@link JobData}); the current {@code production} version is resolved and downloaded;</li>
 *   <li>{@code TRAIN}: LoRA training with the model core's trainer ({@link TrainingRun}, GPU when
 *       present), from the production adapter's weights unless the job or the settings say from
 *       scratch; every step reports progress and checks the cancel flag and the lease;</li>
 *   <li>{@code EVAL}: base, production (if any) and candidate on the eval split and the train sample
 *       ({@link Evaluator}: loss through DJL, greedy answers through ONNX Runtime);</li>
 *   <li>{@code PACKAGE}: {@link AdapterPackage} in {@code <work-dir>/jobs/<id>/package};</li>
 *   <li>{@code PUBLISH}: one registry upload (exactly once, see {@link AdapterPublisher}), then
 *       {@code staging} per {@link StagingRule}; while the registry is unreachable the attempt waits
 *       and retries, with the error on the job, the package kept on disk.</li>
 * </ol>
 * Outcomes: SUCCEEDED with the registry version; FAILED with the reason (a non-finite loss is
 * {@link TrainingDivergedException}; nothing is published); CANCELLED (nothing published); a lost
 * lease abandons the attempt silently (the new owner finishes the job).
 */
public final class JobExecutor {
    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);
    static final String PACKAGE_DIR = "package";
    private final JobStore store;
    private final RecordSource records;
    private final RegistryClient registry;
    private final JobSettings settings;
    private final JobObserver observer;
    private final String owner;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<UUID, LeaseHeartbeat> running = new ConcurrentHashMap<>();
    private final BaseModelCache baseModels;

    /** With a base model cache of its own (each executor opens the checkpoint once; never closed). */
    public JobExecutor(JobStore store, RecordSource records, RegistryClient registry, JobSettings settings,
                       JobObserver observer, String owner) {
        this(store, records, registry, settings, observer, owner, new BaseModelCache());
    }

    /** @param baseModels where jobs take the base model from (the worker's: shared with the records pipeline) */
    public JobExecutor(JobStore store, RecordSource records, RegistryClient registry, JobSettings settings,
                       JobObserver observer, String owner, BaseModelCache baseModels) {
        this.baseModels = baseModels;
        this.store = store;
        this.records = records;
        this.registry = registry;
        this.settings = settings;
        this.observer = observer;
        this.owner = owner;
    }

    public String owner() {
        return owner;
    }

    /** Flags a job this worker is running as cancelled; true when it runs here. */
    public boolean cancelLocally(UUID id) {
        LeaseHeartbeat hb = running.get(id);
        if (hb != null) {
            hb.cancelLocally("cancelled on request");
            return true;
        }
        return false;
    }

    /** Claims the oldest claimable job and runs it to its end; false when there was nothing to run. */
    public boolean runNext() {
        store.cancelAbandoned();
        Optional<Job> job = store.claim(owner, settings.leaseDuration());
        job.ifPresent(this::run);
        return job.isPresent();
    }

    /** Runs a job this worker has claimed. */
    public void run(Job job) {
        PhaseClock clock = new PhaseClock();
        Path jobDir = settings.jobDir(job.id());
        JobStatus outcome = null;
        try (LeaseHeartbeat hb = new LeaseHeartbeat(store, job.id(), owner, settings.leaseDuration(), settings.heartbeatInterval());
             BaseModelCache.Reference baseModel = baseModels.reference(settings.checkpointDir())) {
            running.put(job.id(), hb);
            try {
                if (job.attempt() > settings.maxAttempts()) {
                    outcome = end(job, JobStatus.FAILED, "gave up after " + (job.attempt() - 1) + " attempts: " + job.error(), clock);
                    return;
                }
                log.info("job {} ({}) attempt {} started on {}", job.id(), job.adapter(), job.attempt(), owner);
                AdapterPublisher.Published published = execute(job, hb, clock, jobDir, baseModel);
                int version = published.version().version();
                clock.stop();
                store.succeed(job.id(), owner, version, published.stagingError(), clock.toJson());
                outcome = JobStatus.SUCCEEDED;
                log.info("job {} ({}) SUCCEEDED: version {}", job.id(), job.adapter(), version);
                deleteQuietly(jobDir);
            } catch (JobCancelledException e) {
                outcome = end(job, JobStatus.CANCELLED, e.getMessage(), clock);
            } catch (TrainingDivergedException e) {
                outcome = end(job, JobStatus.FAILED, "training diverged: " + e.getMessage(), clock);
            } catch (LeaseLostException e) {
                log.warn("job {} abandoned here: {}", job.id(), e.getMessage());
            } catch (RegistryException e) {
                outcome = end(job, JobStatus.FAILED, "the registry refused (" + e.status() + " " + e.code() + "): " + e.getMessage(), clock);
            } catch (Exception | Error e) {
                // an Error too (a native library, a missing class): the job must end visibly, never hang RUNNING
                log.error("job " + job.id() + " failed", e);
                outcome = end(job, JobStatus.FAILED, e.getClass().getSimpleName() + ": " + describe(e), clock);
            } finally {
                running.remove(job.id());
            }
        }
        if (outcome != null) {
            observer.jobFinished(job.adapter(), outcome, clock.totalSeconds());
        }
    }

    private JobStatus end(Job job, JobStatus status, String reason, PhaseClock clock) {
        clock.stop();
        log.warn("job {} ({}) {}: {}", job.id(), job.adapter(), status, reason);
        try {
            store.finish(job.id(), owner, status, reason, clock.toJson());
        } catch (LeaseLostException e) {
            log.warn("job {}: {}", job.id(), e.getMessage());
            return null;
        }
        deleteQuietly(settings.jobDir(job.id()));
        return status;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    // ------------------------------------------------------------------ the phases

    private AdapterPublisher.Published execute(Job job, LeaseHeartbeat hb, PhaseClock clock, Path jobDir,
                                               BaseModelCache.Reference baseModel) throws IOException {
        AdapterPublisher publisher = new AdapterPublisher(registry, new RegistryRetry(settings.publishInitialBackoff(),
                settings.publishMaxBackoff(), retryObserver(job, hb)));
        if (job.attempt() > 1) {
            // an earlier attempt may have published before its worker died: never upload twice
            Optional<VersionInfo> done = publisher.publishedBy(job.adapter(), job.id());
            if (done.isPresent()) {
                log.info("job {} was published by an earlier attempt as version {}", job.id(), done.get().version());
                return new AdapterPublisher.Published(done.get(), true, null, null);
            }
            Optional<AdapterPackage> packaged = job.hasSnapshot()
                    ? AdapterPackage.existing(jobDir.resolve(PACKAGE_DIR)) : Optional.empty();
            if (packaged.isPresent() && job.id().toString().equals(packaged.get().manifest().path("job").path("id").asText())) {
                log.info("job {}: publishing the package an earlier attempt left in {}", job.id(), packaged.get().dir());
                return publish(job, hb, clock, publisher, packaged.get());
            }
        }

        // SNAPSHOT
        phase(job, hb, clock, JobPhase.SNAPSHOT);
        JobStore.Watermark mark = store.watermark(job.adapter());
        long maxSeq = job.hasSnapshot() ? job.snapshotMaxSeq() : records.maxSeq(job.adapter());
        long minSeq = job.hasSnapshot() ? job.snapshotMinSeq()
                : (mark.lastSnapshotMaxSeq() == null ? 0 : mark.lastSnapshotMaxSeq()) + 1;
        if (maxSeq == 0) {
            throw new IllegalStateException("adapter " + job.adapter() + " has no training records");
        }
        List<SnapshotRecord> snapshot = records.snapshot(job.adapter(), maxSeq);
        JobData data = JobData.split(job.adapter(), snapshot, settings.trainSampleSize());
        if (data.train().isEmpty()) {
            throw new IllegalStateException("adapter " + job.adapter() + " has no training-split records up to seq " + maxSeq
                    + " (" + data.eval().size() + " eval records)");
        }
        Optional<VersionInfo> production = publisher.production(job.adapter());
        boolean fromScratch = JobOverrides.fromScratch(job.overrides(), settings.fromScratch());
        Path productionDir = jobDir.resolve("production");
        if (production.isPresent()) {
            AdapterPackage.deleteRecursively(productionDir);
            publisher.download(production.get(), productionDir);
        }
        Integer parent = production.isPresent() && !fromScratch ? production.get().version() : null;
        if (!job.hasSnapshot()) {
            store.recordSnapshot(job.id(), owner, minSeq, maxSeq, data.train().size(), data.eval().size(), data.evalSet(), parent,
                    job.adapter());
        }
        observer.phaseFinished(job.adapter(), JobPhase.SNAPSHOT, clock.stop());

        // TRAIN
        phase(job, hb, clock, JobPhase.TRAIN);
        TrainingOptions options = JobOverrides.apply(job.overrides(), TrainingOptions.defaults().withSeed(settings.seed()));
        if (parent != null) {
            options = options.withInitFrom(productionDir);
        }
        Path candidateDir = jobDir.resolve("candidate");
        AdapterPackage.deleteRecursively(candidateDir);
        TrainingResult trained = TrainingRun.run(baseModel.get(), data.train(), candidateDir, options, listener(hb));
        TrainingMetrics tm = trained.metrics();
        store.recordResults(job.id(), owner, null, null, curveJson(tm.lossCurve()));
        observer.trainingFinished(job.adapter(), tm.tokensPerSecond(), tm.tokensPerEpoch() * tm.hyperparameters().epochs());
        observer.phaseFinished(job.adapter(), JobPhase.TRAIN, clock.stop());

        // EVAL
        phase(job, hb, clock, JobPhase.EVAL);
        ModelEvaluation base;
        ModelEvaluation prod = null;
        ModelEvaluation candidate;
        String baseHash;
        try (Evaluator ev = new Evaluator(baseModel.get(), settings.onnxCache(), settings.maxNewTokens())) {
            baseHash = ev.baseHash();
            base = ev.evaluate("base", null, data.eval(), data.trainSample());
            hb.check();
            if (production.isPresent()) {
                prod = ev.evaluate("production", productionDir, data.eval(), data.trainSample());
                hb.check();
            }
            candidate = ev.evaluate("candidate", candidateDir, data.eval(), data.trainSample());
        }
        StagingRule.Decision staging = StagingRule.decide(candidate, prod);
        ObjectNode metrics = manifestMetrics(data, candidate, base, prod, production.map(VersionInfo::version).orElse(null), tm);
        store.recordResults(job.id(), owner, metrics, clock.toJson(), null);
        log.info("job {} evaluated: candidate {}, base {}, production {}; staging: {}", job.id(), candidate, base, prod, staging);
        observer.phaseFinished(job.adapter(), JobPhase.EVAL, clock.stop());

        // PACKAGE
        phase(job, hb, clock, JobPhase.PACKAGE);
        ObjectNode manifest = manifest(job, minSeq, maxSeq, data, parent, fromScratch, tm, metrics, staging, baseHash);
        ObjectNode metricsFile = json.createObjectNode();
        metricsFile.set("training", tm.toJson(json));
        ObjectNode evaluation = metricsFile.putObject("evaluation");
        evaluation.put(MetricNames.EVAL_SET, data.evalSet());
        evaluation.set("candidate", candidate.toJson(json));
        evaluation.set("base", base.toJson(json));
        evaluation.set("production", prod == null ? null : prod.toJson(json));
        evaluation.putPOJO("candidateMisses", List.of(candidate.evalAnswers().misses(), candidate.trainAnswers().misses()));
        metricsFile.set("staging", manifest.get("staging"));
        AdapterPackage pkg = AdapterPackage.write(jobDir.resolve(PACKAGE_DIR), candidateDir, metricsFile, manifest);
        observer.phaseFinished(job.adapter(), JobPhase.PACKAGE, clock.stop());

        return publish(job, hb, clock, publisher, pkg);
    }

    private AdapterPublisher.Published publish(Job job, LeaseHeartbeat hb, PhaseClock clock, AdapterPublisher publisher, AdapterPackage pkg) {
        phase(job, hb, clock, JobPhase.PUBLISH);
        JsonNode m = pkg.manifest();
        AdapterPublisher.BaseModelInfo base = new AdapterPublisher.BaseModelInfo(m.path("baseModel").asText(),
                m.path("baseModelArchitecture").asText(), m.path("baseModelLocation").asText(),
                m.path("baseModelSha256").asText(), "base checkpoint of tuning-worker jobs");
        StagingRule.Decision staging = new StagingRule.Decision(m.path("staging").path("set").asBoolean(),
                m.path("staging").path("reason").asText());
        AdapterPublisher.Published published = publisher.publish(job.adapter(), base, pkg, job.id(), staging);
        observer.phaseFinished(job.adapter(), JobPhase.PUBLISH, clock.stop());
        return published;
    }

    private void phase(Job job, LeaseHeartbeat hb, PhaseClock clock, JobPhase phase) {
        hb.check();
        clock.start(phase);
        store.setPhase(job.id(), owner, phase);
    }

    private RegistryRetry.RetryObserver retryObserver(Job job, LeaseHeartbeat hb) {
        return new RegistryRetry.RetryObserver() {
            @Override
            public void beforeWait(String what, int attempt, dev.ragtune.common.registry.RegistryUnavailableException error, Duration wait) {
                String message = String.format(Locale.ROOT, "registry unavailable (%s, attempt %d, next try in %.1f s): %s",
                        what, attempt, wait.toMillis() / 1000.0, error.getMessage());
                log.warn("job {}: {}", job.id(), message);
                store.recordError(job.id(), owner, message);
                hb.check();
            }

            @Override
            public void recovered(String what, int attempts) {
                store.recordError(job.id(), owner, null);
            }
        };
    }

    private ProgressListener listener(LeaseHeartbeat hb) {
        List<TrainingMetrics.StepRecord> curve = new ArrayList<>();
        hb.lossCurve(() -> {
            synchronized (curve) {
                return curveJson(curve);
            }
        });
        return p -> {
            synchronized (curve) {
                curve.add(new TrainingMetrics.StepRecord(p.step(), p.epoch(), p.loss(), p.learningRate()));
            }
            ObjectNode progress = JsonNodeFactory.instance.objectNode();
            progress.put("step", p.step());
            progress.put("totalSteps", p.totalSteps());
            progress.put("loss", p.loss());
            progress.put("tokensPerSecond", p.tokensPerSecond());
            progress.put("etaSeconds", p.eta().toMillis() / 1000.0);
            hb.progress(progress);
            hb.check();
        };
    }

    static ArrayNode curveJson(List<TrainingMetrics.StepRecord> curve) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (TrainingMetrics.StepRecord s : curve) {
            a.addObject().put("step", s.step()).put("epoch", s.epoch()).put("loss", s.loss()).put("lr", s.learningRate());
        }
        return a;
    }

    /** The manifest's {@code metrics}: the candidate's figures at top level (what the promotion gate reads), base and production beside. */
    private ObjectNode manifestMetrics(JobData data, ModelEvaluation candidate, ModelEvaluation base, ModelEvaluation prod,
                                       Integer productionVersion, TrainingMetrics tm) {
        ObjectNode m = json.createObjectNode();
        m.put(MetricNames.EVAL_SET, data.evalSet());
        m.setAll(candidate.toJson(json));
        m.set(MetricNames.BASE, base.toJson(json));
        if (prod != null) {
            ObjectNode p = prod.toJson(json);
            p.put(MetricNames.PRODUCTION_VERSION, productionVersion);
            m.set(MetricNames.PRODUCTION, p);
        } else {
            m.putNull(MetricNames.PRODUCTION);
        }
        m.put(MetricNames.FINAL_TRAIN_LOSS, tm.finalLoss());
        m.put(MetricNames.TOKENS_PER_SECOND, tm.tokensPerSecond());
        m.put(MetricNames.SKIPPED_STEPS, tm.skippedSteps());
        return m;
    }

    private ObjectNode manifest(Job job, long minSeq, long maxSeq, JobData data, Integer parent, boolean fromScratch,
                                TrainingMetrics tm, ObjectNode metrics, StagingRule.Decision staging, String baseHash) {
        ObjectNode m = json.createObjectNode();
        ObjectNode j = m.putObject("job");
        j.put("id", job.id().toString());
        j.put("trigger", job.trigger().name());
        j.put("attempt", job.attempt());
        j.put("worker", owner);
        m.put("baseModel", baseModelId(baseHash));
        m.put("baseModelSha256", baseHash);
        m.put("baseModelArchitecture", architecture());
        m.put("baseModelLocation", settings.checkpointDir().toAbsolutePath().normalize().toString());
        ObjectNode s = m.putObject("snapshot");
        s.put("minSeq", minSeq);
        s.put("maxSeq", maxSeq);
        s.put("trainRecords", data.train().size());
        s.put("evalRecords", data.eval().size());
        s.put("trainSampleRecords", data.trainSample().size());
        ObjectNode t = m.putObject("training");
        t.put("records", data.train().size());
        t.put("fromScratch", parent == null);
        t.put("fromScratchRequested", fromScratch);
        if (parent != null) {
            t.put("initFromVersion", parent);
        }
        t.put("device", tm.device());
        t.put("steps", tm.lossCurve().size());
        t.put("finalLoss", tm.finalLoss());
        t.put("tokensPerSecond", tm.tokensPerSecond());
        t.put("skippedSteps", tm.skippedSteps());
        t.put("wallSeconds", tm.wallSeconds());
        m.set("hyperparameters", tm.hyperparameters().toJson(json));
        if (parent != null) {
            m.put("parentVersion", parent);
        }
        m.set("metrics", metrics);
        m.putObject("staging").put("set", staging.staging()).put("reason", staging.reason());
        return m;
    }

    private String baseModelId(String hash) {
        if (settings.baseModelName() != null && !settings.baseModelName().isBlank()) {
            return settings.baseModelName();
        }
        String name = settings.checkpointDir().toAbsolutePath().normalize().getFileName().toString()
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-");
        return name + "-" + hash.substring(0, 12);
    }

    private String architecture() {
        try (BaseModel b = baseModels.acquire(settings.checkpointDir())) {
            return b.architecture();
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            AdapterPackage.deleteRecursively(dir);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.getMessage());
        }
    }
}
