package dev.ragtune.cli;

import dev.ragtune.cli.platform.ApiKeyFile;
import dev.ragtune.cli.platform.LocalPlatform;
import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformSettings;
import dev.ragtune.cli.platform.PlatformState;
import dev.ragtune.embedded.ServiceProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ragtune up}: the whole platform on this machine, in the foreground or {@code --detach}ed. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Starts PostgreSQL, Kafka, model-registry, tuning-worker and rag-service on this machine,",
                "waits until all are healthy and prints the endpoints and API keys. State lives in the data",
                "directory and survives 'ragtune down'. Ctrl-C stops everything."})
public final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--detach", description = "Return once everything is healthy and leave it running (stop it with 'ragtune down').")
    boolean detach;

    @Option(names = "--data-dir", description = "State directory (default: $RAGTUNE_HOME or ./.ragtune).")
    Path dataDir;

    @Option(names = "--checkpoint", defaultValue = "${env:RAGTUNE_CHECKPOINT}",
            description = "Hugging Face checkpoint folder of the base model (default: the demo checkpoint, made on first start; env RAGTUNE_CHECKPOINT).")
    Path checkpoint;

    @Option(names = "--rag-port", defaultValue = "${env:RAGTUNE_RAG_PORT:-8080}", description = "rag-service port (default ${DEFAULT-VALUE}; env RAGTUNE_RAG_PORT).")
    int ragPort;

    @Option(names = "--registry-port", defaultValue = "${env:RAGTUNE_REGISTRY_PORT:-8081}", description = "model-registry port (default ${DEFAULT-VALUE}; env RAGTUNE_REGISTRY_PORT).")
    int registryPort;

    @Option(names = "--worker-port", defaultValue = "${env:RAGTUNE_WORKER_PORT:-8082}", description = "tuning-worker port (default ${DEFAULT-VALUE}; env RAGTUNE_WORKER_PORT).")
    int workerPort;

    @Option(names = "--kafka-port", defaultValue = "${env:RAGTUNE_KAFKA_PORT:-9092}", description = "Kafka port (default ${DEFAULT-VALUE}; env RAGTUNE_KAFKA_PORT).")
    int kafkaPort;

    @Option(names = "--postgres-port", defaultValue = "${env:RAGTUNE_POSTGRES_PORT:-5433}", description = "PostgreSQL port (default ${DEFAULT-VALUE}; env RAGTUNE_POSTGRES_PORT).")
    int postgresPort;

    @Option(names = "--adapters", split = ",", defaultValue = "${env:RAGTUNE_ADAPTERS:-support-bot}",
            description = "Adapters rag-service follows and hot-loads (their production alias), comma-separated (default ${DEFAULT-VALUE}; env RAGTUNE_ADAPTERS).")
    List<String> adapters;

    @Option(names = "--starter-docs", defaultValue = "${env:RAGTUNE_STARTER_DOCS}",
            description = "Folder of Markdown ingested into rag-service on the first start (default: the checkout's docs/; env RAGTUNE_STARTER_DOCS).")
    Path starterDocs;

    @Option(names = "--api-key", paramLabel = "ROLE=KEY",
            description = "Use this key for a role instead of a generated one (repeatable; env RAGTUNE_KEY_<ROLE>, e.g. RAGTUNE_KEY_OPS). Kept in api-keys.json.")
    Map<String, String> apiKeys = new java.util.LinkedHashMap<>();

    PlatformSettings settings() {
        PlatformHome home = new PlatformHome(dataDir != null ? dataDir : RagtuneCli.home());
        return new PlatformSettings(home, ragPort, registryPort, workerPort, kafkaPort, postgresPort, checkpoint, adapters,
                starterDocs != null ? starterDocs : ServiceProcess.checkoutRoot().map(r -> r.resolve("docs")).orElse(null), Map.of());
    }

    @Override
    public Integer call() throws Exception {
        PlatformSettings settings = settings();
        PlatformHome home = settings.home();
        Optional<PlatformState> running = PlatformState.read(home.state());
        if (running.isPresent() && running.get().supervisorAlive()) {
            spec.commandLine().getErr().println("ragtune: the platform is already running (pid " + running.get().supervisorPid()
                    + ", " + home.state() + "); 'ragtune status' shows it, 'ragtune down' stops it");
            return 1;
        }
        Files.deleteIfExists(home.state());
        Map<String, String> keys = new java.util.LinkedHashMap<>(ApiKeyFile.fromEnvironment(System.getenv()));
        keys.putAll(apiKeys);
        ApiKeyFile.override(home.apiKeys(), keys);
        return detach ? detached(home) : foreground(settings);
    }

    private int foreground(PlatformSettings settings) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LocalPlatform platform = new LocalPlatform(settings, line -> {
            out.println("ragtune: " + line);
            out.flush();
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                platform.close();
            } finally {
                try {
                    Files.deleteIfExists(settings.home().state());
                } catch (IOException ignored) {
                    // best effort
                }
                stopped.countDown();
            }
        }, "ragtune-down");
        Runtime.getRuntime().addShutdownHook(hook);
        platform.start();
        platform.state(ProcessHandle.current().pid()).write(settings.home().state());
        printEndpoints(out, platform, settings);
        out.println("ragtune: running; Ctrl-C or 'ragtune down' stops everything");
        out.flush();
        Set<String> reported = new HashSet<>();
        while (stopped.getCount() > 0) {
            ServiceProcess crashed = platform.crashed();
            if (crashed != null && reported.add(crashed.name())) {
                err.println("ragtune: " + crashed.name() + " exited with status " + crashed.exitValue()
                        + "; last lines of " + crashed.logFile() + ":");
                err.println(crashed.logTail(30));
                err.flush();
            }
            Thread.sleep(1000);
        }
        return 0;
    }

    static void printEndpoints(PrintWriter out, LocalPlatform platform, PlatformSettings settings) {
        out.println();
        out.println("  rag-service     " + platform.ragUrl() + "   (query, OpenAI-compatible /v1/chat/completions)");
        out.println("  model-registry  " + platform.registryUrl());
        out.println("  tuning-worker   " + platform.workerUrl());
        out.println("  kafka           " + platform.kafka().bootstrapServers() + "   (topics training-records, training-records.dlq, adapter-events)");
        out.println("  postgresql      " + platform.postgres().jdbcUrl("rag").replace("/rag", "/{registry,worker,rag}"));
        out.println("  base model      " + platform.baseModel());
        out.println("  API keys        " + settings.home().apiKeys());
        platform.keys().forEach((role, key) -> out.printf("    %-10s %s%n", role, key));
        out.println("  logs            " + settings.home().logs());
        out.println();
    }

    /** Runs {@code up} (foreground) as a new session in the background and returns once it is healthy. */
    private int detached(PlatformHome home) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Files.createDirectories(home.logs());
        Path log = home.log("platform");
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(RagtuneCli.class.getName());
        cmd.add("up");
        cmd.add("--data-dir=" + home.root());
        if (checkpoint != null) {
            cmd.add("--checkpoint=" + checkpoint.toAbsolutePath());
        }
        cmd.add("--rag-port=" + ragPort);
        cmd.add("--registry-port=" + registryPort);
        cmd.add("--worker-port=" + workerPort);
        cmd.add("--kafka-port=" + kafkaPort);
        cmd.add("--postgres-port=" + postgresPort);
        cmd.add("--adapters=" + String.join(",", adapters));
        if (starterDocs != null) {
            cmd.add("--starter-docs=" + starterDocs.toAbsolutePath());
        }
        Process child = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        out.println("ragtune: starting in the background (log: " + log + ")");
        out.flush();
        while (true) {
            Optional<PlatformState> state = PlatformState.read(home.state());
            if (state.isPresent() && state.get().supervisorAlive()) {
                out.println("ragtune: the platform is up (pid " + state.get().supervisorPid() + ")");
                state.get().components().forEach((name, c) -> out.printf("  %-15s %s%n", name, c.endpoint()));
                out.println("  API keys        " + home.apiKeys());
                ApiKeyFile.read(home.apiKeys()).forEach((role, key) -> out.printf("    %-10s %s%n", role, key));
                out.println("ragtune: 'ragtune status' shows it, 'ragtune down' stops it");
                return 0;
            }
            if (!child.isAlive()) {
                err.println("ragtune: the platform failed to start (exit status " + child.exitValue() + "); last lines of " + log + ":");
                List<String> lines = Files.readAllLines(log);
                err.println(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
                return 1;
            }
            Thread.sleep(500);
        }
    }
}
