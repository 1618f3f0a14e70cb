package dev.ragtune.cli.jobs;

import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.WorkerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code ragtune jobs watch ID}. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Follows a job live (phase; while training: step, loss, tokens/s, ETA) until it ends, then prints",
                "its result: the registered version and its metrics, or the error. Exit code 1 unless it succeeded."})
public final class JobsWatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id (from 'ragtune jobs list' or 'jobs start').")
    String id;

    @Override
    public Integer call() throws InterruptedException {
        try (WorkerClient worker = endpoints.worker("reader")) {
            JobInfo job = new JobWatcher(worker, spec.commandLine().getOut(), Duration.ofSeconds(1)).watch(id);
            return "SUCCEEDED".equals(job.status()) ? 0 : 1;
        }
    }
}
