package dev.ragtune.cli.jobs;

import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.console.Durations;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The detail text of a job's progress bar: {@code TRAIN step 120/640  loss 2.314  1,850 tok/s  ETA 1m05s}. */
public final class JobProgressLine {
    private JobProgressLine() {
    }

    public static String detail(JobInfo job) {
        List<String> parts = new ArrayList<>();
        parts.add(job.phase() != null ? job.phase() : job.status());
        JobInfo.Progress p = job.progress();
        if (p != null && "TRAIN".equals(job.phase())) {
            if (p.step() != null) {
                parts.add("step " + p.step() + (p.totalSteps() != null ? "/" + p.totalSteps() : ""));
            }
            if (p.loss() != null && Double.isFinite(p.loss())) {
                parts.add(String.format(Locale.ROOT, "loss %.3f", p.loss()));
            }
            if (p.tokensPerSecond() != null) {
                parts.add(String.format(Locale.ROOT, "%,.0f tok/s", p.tokensPerSecond()));
            }
            if (p.etaSeconds() != null) {
                parts.add("ETA " + Durations.format(p.etaSeconds()));
            }
        }
        return String.join("  ", parts);
    }

    /** Steps done and in all, for the bar (0/0 outside training). */
    public static long[] steps(JobInfo job) {
        JobInfo.Progress p = job.progress();
        if (p == null || p.step() == null || p.totalSteps() == null || !"TRAIN".equals(job.phase())) {
            boolean trained = job.phase() != null && List.of("EVAL", "PACKAGE", "PUBLISH").contains(job.phase());
            return trained && p != null && p.totalSteps() != null ? new long[] {p.totalSteps(), p.totalSteps()} : new long[] {0, 0};
        }
        return new long[] {p.step(), p.totalSteps()};
    }
}
