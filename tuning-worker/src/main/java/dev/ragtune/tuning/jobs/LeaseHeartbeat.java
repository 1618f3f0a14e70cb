package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Keeps a running job's lease alive from its own thread and carries the job's latest progress to
 * the database on each beat. The job's own thread calls {@link #check()} at every training step and
 * phase boundary: it throws {@link JobCancelledException} once a cancel was requested (seen on a
 * beat, or set locally by {@link #cancelLocally}) and {@link LeaseLostException} once a beat found
 * that another worker owns the job. A beat that fails because the database is unreachable is
 * logged and retried on the next beat (the lease may then expire, which the next write detects).
 */
public final class LeaseHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);
    private final JobStore store;
    private final UUID jobId;
    private final String owner;
    private final Duration lease;
    private final ScheduledExecutorService timer;
    private final AtomicReference<JsonNode> progress = new AtomicReference<>();
    private volatile Supplier<JsonNode> lossCurve;
    private volatile String cancelReason;
    private volatile boolean lost;

    public LeaseHeartbeat(JobStore store, UUID jobId, String owner, Duration lease, Duration every) {
        this.store = store;
        this.jobId = jobId;
        this.owner = owner;
        this.lease = lease;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-heartbeat-" + jobId);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::beat, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    public UUID jobId() {
        return jobId;
    }

    /** The latest {@code {step, totalSteps, loss, tokensPerSecond, etaSeconds}}, written on the next beat. */
    public void progress(JsonNode p) {
        progress.set(p);
    }

    /** Where the beats read the loss curve so far (called from the heartbeat thread). */
    public void lossCurve(Supplier<JsonNode> curve) {
        lossCurve = curve;
    }

    /** Cancel request arriving through this worker's API: honoured at the next check. */
    public void cancelLocally(String reason) {
        cancelReason = reason;
    }

    /** @throws JobCancelledException or {@link LeaseLostException} as described on the class */
    public void check() {
        if (lost) {
            throw new LeaseLostException("worker " + owner + " lost the lease of job " + jobId + "; another worker took it over");
        }
        if (cancelReason != null) {
            throw new JobCancelledException(cancelReason);
        }
    }

    void beat() {
        if (lost) {
            return;
        }
        try {
            if (store.heartbeat(jobId, owner, lease, progress.getAndSet(null), curve()) && cancelReason == null) {
                cancelReason = "cancelled on request";
            }
        } catch (LeaseLostException e) {
            log.warn("{}", e.getMessage());
            lost = true;
        } catch (RuntimeException e) {
            log.warn("heartbeat of job {} failed, retrying on the next beat: {}", jobId, e.getMessage());
        }
    }

    private JsonNode curve() {
        Supplier<JsonNode> c = lossCurve;
        return c == null ? null : c.get();
    }

    /** Beats now (from the caller's thread) and then checks. */
    public void beatAndCheck() {
        beat();
        check();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
