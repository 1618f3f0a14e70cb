package dev.ragtune.cli.jobs;

import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.WorkerClient;
import dev.ragtune.cli.console.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ragtune jobs list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists training jobs, newest first.")
public final class JobsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Option(names = "--adapter", paramLabel = "NAME", description = "Only this adapter's jobs.")
    String adapter;

    @Option(names = "--status", description = "Only jobs in this status: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED.")
    String status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most this many (1-500, default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        List<JobInfo> jobs;
        try (WorkerClient worker = endpoints.worker("reader")) {
            jobs = worker.jobs(adapter, status, limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (jobs.isEmpty()) {
            out.println("no jobs" + (adapter != null ? " for " + adapter : "") + "; 'ragtune jobs start NAME' starts one");
            return 0;
        }
        Table t = new Table("ID", "ADAPTER", "STATUS", "PHASE", "TRIGGER", "CREATED", "VERSION", "ERROR");
        for (JobInfo j : jobs) {
            t.row(j.id(), j.adapter(), j.status(), j.phase(), j.trigger(), j.createdAt(),
                    j.registryVersion() == null ? "-" : "v" + j.registryVersion(), abbreviate(j.error(), 60));
        }
        t.print(out);
        return 0;
    }

    private static String abbreviate(String s, int max) {
        if (s == null || s.isBlank()) {
            return "-";
        }
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
