package dev.ragtune.cli.jobs;

import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.WorkerClient;
import dev.ragtune.common.records.AdapterNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ragtune jobs start NAME}. */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Queues a training job for an adapter on everything its records hold now (the worker also starts jobs",
                "by itself when enough new records arrive). By default it continues from the production version."})
public final class JobsStartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "NAME", description = "Adapter name.")
    String adapter;

    @Option(names = "--from-scratch", description = "Train fresh weights instead of continuing from the production version.")
    boolean fromScratch;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A hyperparameter override, repeatable: rank, alpha, epochs, learningRate, maxSeqLen, seed, batchSize, "
                    + "gradAccumulation, warmupRatio, weightDecay, maxGradNorm (e.g. --set epochs=32).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--watch", description = "Then follow it to its end, as 'ragtune jobs watch' does.")
    boolean watch;

    @Override
    public Integer call() throws InterruptedException {
        if (!AdapterNames.isValid(adapter)) {
            throw new ParameterException(spec.commandLine(), "adapter name '" + adapter + "' is invalid: " + AdapterNames.RULE);
        }
        Map<String, Number> hyperparameters = HyperparameterOverrides.parse(settings, spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        try (WorkerClient worker = endpoints.worker("ops")) {
            JobInfo job = worker.startJob(adapter, fromScratch ? Boolean.TRUE : null, hyperparameters);
            out.println("started job " + job.id() + " for " + job.adapter() + " (" + job.status() + ")");
            if (!watch) {
                out.println("follow it with: ragtune jobs watch " + job.id());
                return 0;
            }
            out.flush();
            JobInfo ended = new JobWatcher(worker, out, Duration.ofSeconds(1)).watch(job.id());
            return "SUCCEEDED".equals(ended.status()) ? 0 : 1;
        }
    }
}
