package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.tuning.basemodel.WorkerBaseModel;
import dev.ragtune.tuning.config.WorkerConfig;
import dev.ragtune.common.records.DatasetSplit;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The jobs half of the worker: one background thread that, every {@code poll-interval}, evaluates
 * the automatic triggers and then runs claimable jobs one after the other on this instance
 * ({@link JobExecutor}); and what the API asks ({@link JobResource}).
 *
 * <p>On shutdown the loop stops and a job in progress is left RUNNING: its lease expires and
 * another instance (or this one, restarted) takes it over as the next attempt.
 */
@ApplicationScoped
public class JobService {
    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    WorkerConfig worker;
    @Inject
    JobsConfig config;
    @Inject
    JobMetrics metrics;
    @Inject
    WorkerBaseModel baseModel;

    private JobStore store;
    private JobExecutor executor;
    private JobTriggers triggers;
    private RegistryClient registry;
    private ScheduledExecutorService loop;

    void start(@Observes StartupEvent ev) {
        String owner = config.workerId().orElseGet(JobService::defaultWorkerId);
        store = new JobStore(dataSource, json);
        DatasetSplit split = new DatasetSplit(worker.evalFraction());
        RecordSource records = new JdbcRecordSource(dataSource, json, split::isEval);
        registry = new RegistryClient(URI.create(worker.registry().url()), worker.registry().apiKey().orElse(null));
        JobSettings settings = new JobSettings(worker.checkpointDir(), config.baseModelName().orElse(null), worker.workDir(),
                config.leaseDuration(), config.heartbeatInterval(), config.maxAttempts(), config.fromScratch(),
                config.trainSampleSize(), config.maxNewTokens(), config.publishInitialBackoff(), config.publishMaxBackoff(),
                config.seed());
        executor = new JobExecutor(store, records, registry, settings, metrics, owner, baseModel.cache());
        triggers = new JobTriggers(store, records, new TriggerPolicy(config.minNewRecords(), config.interval()));
        if (config.runnerEnabled() || config.triggersEnabled()) {
            loop = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "job-runner");
                t.setDaemon(true);
                return t;
            });
            long every = config.pollInterval().toMillis();
            loop.scheduleWithFixedDelay(this::tick, Math.min(every, 1000), every, TimeUnit.MILLISECONDS);
        }
        log.info("jobs: worker id {}, runner {}, triggers {} (min-new-records {}, interval {})", owner,
                config.runnerEnabled(), config.triggersEnabled(), config.minNewRecords(), config.interval());
    }

    void stop(@Observes ShutdownEvent ev) {
        if (loop != null) {
            loop.shutdownNow();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** One round of the loop: triggers, then every claimable job. Public for tests that drive it directly. */
    public void tick() {
        try {
            if (config.triggersEnabled()) {
                triggers.evaluate(Instant.now());
            }
            if (config.runnerEnabled()) {
                while (executor.runNext()) {
                    // run jobs back to back while there are some
                }
            }
        } catch (Exception | Error e) {
            // never let an exception end the scheduled loop (a scheduled task that throws is not run again)
            log.warn("job loop round failed, retrying next round: {}", e.getMessage(), e);
        }
    }

    /** Wakes the loop now instead of at the next poll (after a manual trigger). */
    void wake() {
        if (loop != null && config.runnerEnabled()) {
            loop.execute(this::tick);
        }
    }

    public Job trigger(String adapter, ObjectNode overrides) {
        Job job = store.create(adapter, JobTrigger.MANUAL, JobOverrides.validate(overrides));
        wake();
        return job;
    }

    public Optional<Job> find(UUID id) {
        return store.find(id);
    }

    public List<Job> list(String adapter, JobStatus status, int limit) {
        return store.list(adapter, status, limit);
    }

    public Optional<Job> cancel(UUID id) {
        Optional<Job> job = store.requestCancel(id);
        job.ifPresent(j -> executor.cancelLocally(j.id()));
        return job;
    }

    public JobStore store() {
        return store;
    }

    public String workerId() {
        return executor.owner();
    }

    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
