package dev.ragtune.cli.jobs;

import dev.ragtune.cli.adapters.Metrics;
import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.client.WorkerClient;
import dev.ragtune.cli.console.Durations;
import dev.ragtune.cli.console.ProgressBar;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Follows a job until it ends: a progress bar of its training steps (step, loss, tokens/s, ETA as the job's heartbeat
 * reports them), a line at every phase change, then the result — the registered version with its metrics, or the error.
 */
public final class JobWatcher {
    private final WorkerClient worker;
    private final PrintWriter out;
    private final Duration poll;

    public JobWatcher(WorkerClient worker, PrintWriter out, Duration poll) {
        this.worker = worker;
        this.out = out;
        this.poll = poll;
    }

    /** Polls the job until it ends and prints its result; returns the ended job. */
    public JobInfo watch(String id) throws InterruptedException {
        JobInfo job = worker.job(id);
        out.println("job " + job.id() + " for " + job.adapter() + " (" + job.trigger() + "): " + job.status());
        out.flush();
        String phase = null;
        ProgressBar bar = null;
        while (!job.ended()) {
            String now = job.status() + "/" + job.phase();
            if (!now.equals(phase)) {
                if (bar != null) {
                    long[] done = JobProgressLine.steps(job); // past TRAIN: every step
                    if (done[1] > 0) {
                        bar.update(done[0], done[1], "trained");
                    }
                    bar.finish();
                    bar = null;
                }
                phase = now;
                out.println(phaseLine(job));
                out.flush();
            }
            long[] steps = JobProgressLine.steps(job);
            if ("TRAIN".equals(job.phase()) && steps[1] > 0) { // once the heartbeat has written the first progress
                if (bar == null) {
                    bar = ProgressBar.of(out, "train");
                }
                bar.update(steps[0], steps[1], JobProgressLine.detail(job));
            }
            Thread.sleep(poll.toMillis());
            job = worker.job(id);
        }
        if (bar != null) {
            bar.finish();
        }
        printResult(job);
        return job;
    }

    private static String phaseLine(JobInfo job) {
        if ("QUEUED".equals(job.status())) {
            return "  queued: waiting for the worker to claim it";
        }
        if (job.phase() == null) {
            return "  claimed by the worker (attempt " + job.attempt() + ")";
        }
        String line = "  " + job.phase();
        if ("SNAPSHOT".equals(job.phase()) || job.snapshot() == null) {
            return line;
        }
        if ("TRAIN".equals(job.phase())) {
            return line + ": " + job.snapshot().trainRecords() + " training records, " + job.snapshot().evalRecords() + " held out"
                    + (job.parentVersion() != null ? ", continuing from v" + job.parentVersion() : "");
        }
        return line;
    }

    private void printResult(JobInfo job) {
        String took = job.phaseSeconds() != null && job.phaseSeconds().has("total")
                ? " in " + Durations.format(job.phaseSeconds().get("total").asDouble()) : "";
        switch (job.status()) {
            case "SUCCEEDED" -> {
                out.println("job " + job.id() + " SUCCEEDED" + took + ": registered " + job.adapter() + " v" + job.registryVersion());
                out.println("  " + Metrics.summary(job.metrics()));
                if (job.error() != null && !job.error().isBlank()) {
                    out.println("  note: " + job.error());
                }
            }
            case "CANCELLED" -> out.println("job " + job.id() + " CANCELLED" + took + "; nothing was published");
            default -> out.println("job " + job.id() + " " + job.status() + took + ": " + job.error());
        }
        out.flush();
    }
}
