package dev.ragtune.cli.demo;

import dev.ragtune.cli.adapters.Metrics;
import dev.ragtune.cli.client.CliException;
import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.client.KafkaAccess;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.QueryAnswer;
import dev.ragtune.cli.client.RagClient;
import dev.ragtune.cli.client.Registry;
import dev.ragtune.cli.client.WorkerClient;
import dev.ragtune.cli.documents.AskCommand;
import dev.ragtune.cli.jobs.HyperparameterOverrides;
import dev.ragtune.cli.jobs.JobWatcher;
import dev.ragtune.cli.platform.PlatformSettings;
import dev.ragtune.cli.records.PreparedRecord;
import dev.ragtune.cli.records.RecordLines;
import dev.ragtune.cli.records.RecordsPushCommand;
import dev.ragtune.common.manifest.VersionManifest;
import dev.ragtune.common.registry.AliasChange;
import dev.ragtune.common.registry.VersionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ragtune demo}: the whole loop in one guided run against the running platform — ask about an invented fact,
 * push records that teach it, train, inspect the new version, promote it, ask again and get the new answer from the
 * hot-loaded adapter.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The loop in one guided run: asks about an invented fact, pushes training records that teach it,",
                "trains and watches a job, shows the new version and its metrics, promotes it to production and asks",
                "again: the hot-loaded adapter answers, without a restart. Needs a running platform ('ragtune up')."})
public final class DemoCommand implements Callable<Integer> {
    static final String FACTS_RESOURCE = "/dev/ragtune/cli/demo/facts.jsonl";
    static final String ALIAS = "production";
    static final int MAX_TOKENS = 48;

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Option(names = "--adapter", paramLabel = "NAME", defaultValue = PlatformSettings.DEFAULT_ADAPTER,
            description = "Adapter to teach (default ${DEFAULT-VALUE}; rag-service must serve it).")
    String adapter;

    @Option(names = "--records", paramLabel = "FILE.jsonl", description = "Training records (default: docs/examples/facts.jsonl, 20 invented facts).")
    Path records;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A hyperparameter override for the job, repeatable (as in 'jobs start').")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--job-timeout", paramLabel = "SECONDS", defaultValue = "1800", description = "Give up on the job after this long (default ${DEFAULT-VALUE}).")
    int jobTimeout;

    private PrintWriter out;

    @Override
    public Integer call() throws InterruptedException {
        out = spec.commandLine().getOut();
        String name = records == null ? "facts.jsonl" : records.getFileName().toString();
        List<PreparedRecord> prepared = RecordLines.prepare(lines(), name, adapter);
        DemoFact fact = DemoFact.pick(prepared, adapter).orElseThrow(() -> CliException.badInput(
                "no record in " + name + " is a single question and answer in the training split to ask about"));
        Map<String, Number> hyperparameters = HyperparameterOverrides.parse(settings, spec.commandLine());

        try (RagClient rag = endpoints.rag("query"); WorkerClient worker = endpoints.worker("ops");
             Registry registry = endpoints.registry("ops")) {
            if (rag.servedAliases(adapter).isEmpty()) {
                throw CliException.failed("rag-service at " + rag.url() + " does not serve adapter '" + adapter
                        + "'; start the platform with 'ragtune up --adapters " + adapter + "'");
            }
            step(1, "ask about an invented fact: \"" + fact.question() + "\"");
            out.println("(without retrieval, --top-k 0, so the answer shows what the model itself knows)");
            QueryAnswer before = askFallingBackToBase(rag, fact.question());

            step(2, "push " + prepared.size() + " training records that teach it (" + name + ")");
            int pushed = RecordsPushCommand.push(out, endpoints.kafka(), worker, prepared, name, Duration.ofMinutes(2));
            if (pushed != 0) {
                throw CliException.failed("some records were rejected; the demo needs them all");
            }

            step(3, "train: start a job for " + adapter + " and watch it");
            JobInfo job = startOrJoin(worker, hyperparameters);
            JobInfo ended = watch(worker, job.id());
            if (!"SUCCEEDED".equals(ended.status())) {
                throw CliException.failed("the job " + ended.id() + " ended " + ended.status() + ": " + ended.error());
            }
            int version = ended.registryVersion();

            step(4, "the new version in the model-registry");
            VersionInfo v = registry.call(r -> r.version(adapter, version));
            out.println(adapter + " v" + version + (v.aliases().isEmpty() ? "" : " (aliases: " + String.join(", ", v.aliases()) + ")"));
            out.println("  " + Metrics.summary(v.manifest() == null ? null : v.manifest().get(VersionManifest.METRICS)));

            step(5, "promote v" + version + " to " + ALIAS);
            out.println(promote(registry, version));
            awaitServed(rag, version);

            step(6, "ask again");
            QueryAnswer after = rag.ask(fact.question(), adapter, 0, MAX_TOKENS, 0.0);
            AskCommand.print(out, after);

            out.println();
            out.println("== before: " + before.answeredBy() + " answered: " + quote(before.answer()));
            out.println("== after:  " + after.answeredBy() + " answered: " + quote(after.answer()));
            out.println("   the records taught:  " + quote(fact.answer()));
            out.println(after.answer() != null && after.answer().strip().equals(fact.answer().strip())
                    ? "the new version answers with the fact it was taught, served without a restart"
                    : "the new version's answer differs from the taught one; 'ragtune adapters show " + adapter + "' has its metrics");
            printTimes();
            out.flush();
            return 0;
        }
    }

    private List<String> lines() {
        try {
            if (records != null) {
                if (!Files.isRegularFile(records)) {
                    throw new ParameterException(spec.commandLine(), "no such file: " + records);
                }
                return Files.readAllLines(records, StandardCharsets.UTF_8);
            }
            try (InputStream in = DemoCommand.class.getResourceAsStream(FACTS_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(FACTS_RESOURCE + " is missing from the command line's classpath");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            }
        } catch (IOException e) {
            throw CliException.badInput("cannot read the records: " + e.getMessage());
        }
    }

    private QueryAnswer askFallingBackToBase(RagClient rag, String question) {
        QueryAnswer a;
        try {
            a = rag.ask(question, adapter, 0, MAX_TOKENS, 0.0);
        } catch (CliException e) {
            if (e.status() != 404) {
                throw e;
            }
            out.println("(" + adapter + " has no " + ALIAS + " version yet, so the base model answers)");
            a = rag.ask(question, "base", 0, MAX_TOKENS, 0.0);
        }
        AskCommand.print(out, a);
        return a;
    }

    private JobInfo startOrJoin(WorkerClient worker, Map<String, Number> hyperparameters) {
        try {
            JobInfo job = worker.startJob(adapter, null, hyperparameters);
            out.println("started job " + job.id());
            return job;
        } catch (CliException e) {
            if (e.status() != 409) {
                throw e;
            }
            JobInfo active = worker.jobs(adapter, null, 10).stream().filter(j -> !j.ended()).findFirst().orElseThrow(() -> e);
            out.println(adapter + " already has a job (" + active.id() + ", " + active.trigger() + "); watching that one");
            return active;
        }
    }

    private JobInfo watch(WorkerClient worker, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(jobTimeout).toNanos();
        Thread watcher = Thread.currentThread();
        Thread timer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
                watcher.interrupt();
            } catch (InterruptedException done) {
                // the job ended first
            }
        });
        try {
            return new JobWatcher(worker, out, Duration.ofSeconds(1)).watch(id);
        } catch (InterruptedException e) {
            throw CliException.failed("the job " + id + " did not end within " + jobTimeout + " s; 'ragtune jobs watch " + id
                    + "' follows it further");
        } finally {
            timer.interrupt();
            Thread.interrupted();
        }
    }

    private String promote(Registry registry, int version) {
        String reason = "ragtune demo: the version trained on the pushed facts";
        AliasChange change;
        try {
            change = registry.call(r -> r.setAlias(adapter, ALIAS, version, reason, false));
        } catch (CliException e) {
            if (e.status() != 409) {
                throw e;
            }
            out.println("the promotion gate refused: " + e.getMessage());
            out.println("(the demo promotes it anyway, with --force; ops would look at 'ragtune adapters show " + adapter + "' first)");
            change = registry.call(r -> r.setAlias(adapter, ALIAS, version, reason + " (forced by the demo)", true));
        }
        return adapter + " " + ALIAS + ": " + (change.previousVersion() == null ? "(unset)" : "v" + change.previousVersion())
                + " -> v" + change.version() + (change.changed() ? "" : " (already there)");
    }

    private void awaitServed(RagClient rag, int version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Optional<Map<String, Integer>> aliases = rag.servedAliases(adapter);
            if (aliases.isPresent() && Integer.valueOf(version).equals(aliases.get().get(ALIAS))) {
                out.println("rag-service hot-loaded v" + version + " as " + adapter + ":" + ALIAS + " (no restart)");
                return;
            }
            if (System.nanoTime() > deadline) {
                throw CliException.failed("rag-service at " + rag.url() + " did not load " + adapter + " v" + version
                        + " within 2 minutes; its log (see 'ragtune status') says why");
            }
            Thread.sleep(500);
        }
    }

    private static final String[] STEP_LABELS = {"ask (base)", "push records", "train (job)", "show version",
            "promote + hot-load", "ask (new version)"};

    /** Wall time per step, printed at the end: where the loop's time goes. */
    private final Map<String, Double> stepSeconds = new LinkedHashMap<>();
    private String currentStep;
    private long stepStarted;
    private long demoStarted;

    private void endStep() {
        if (currentStep != null) {
            stepSeconds.put(currentStep, (System.nanoTime() - stepStarted) / 1e9);
            currentStep = null;
        }
    }

    private void printTimes() {
        endStep();
        out.println();
        out.printf(java.util.Locale.ROOT, "time: %.1f s in all —", (System.nanoTime() - demoStarted) / 1e9);
        stepSeconds.forEach((step, sec) -> out.printf(java.util.Locale.ROOT, " %s %.1f s;", step, sec));
        out.println();
    }

    private void step(int n, String what) {
        endStep();
        if (demoStarted == 0) {
            demoStarted = System.nanoTime();
        }
        currentStep = STEP_LABELS[n - 1];
        stepStarted = System.nanoTime();
        out.println();
        out.println("== " + n + ". " + what);
        out.flush();
    }

    private static String quote(String s) {
        return "\"" + (s == null ? "" : s.strip()) + "\"";
    }
}
