package dev.ragtune.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One ragtune service (a Quarkus fast-jar, {@code <module>/target/quarkus-app/quarkus-run.jar}) running as a child
 * JVM: started with system properties and environment, its output appended to a log file, considered up once its
 * readiness probe answers 200. Used by the local platform ({@code ragtune up}) and by tests that need another
 * service for real (the tuning-worker's and rag-service's tests start the real model-registry this way).
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);

    private final String name;
    private final Path jar;
    private final int port;
    private final List<String> jvmArgs;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final Path logFile;
    private final String healthPath;
    private final Duration startTimeout;
    private final Thread shutdownHook;
    private volatile Process process;

    private ServiceProcess(Builder b) {
        this.name = b.name;
        this.jar = b.jar;
        this.port = b.port == 0 ? Ports.free() : b.port;
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.properties = Map.copyOf(b.properties);
        this.environment = Map.copyOf(b.environment);
        this.logFile = b.logFile;
        this.healthPath = b.healthPath;
        this.startTimeout = b.startTimeout;
        this.shutdownHook = new Thread(this::stop, name + "-shutdown");
    }

    public static Builder builder(String name, Path quarkusRunJar) {
        return new Builder(name, quarkusRunJar);
    }

    /**
     * The fast-jar of a module of this repository, in the {@link #checkoutRoot() checkout}.
     *
     * @throws IllegalStateException naming the build command when the module has not been packaged
     */
    public static Path quarkusRunJar(String module) {
        Path root = checkoutRoot().orElseThrow(() -> new IllegalStateException("no ragtune checkout above "
                + Path.of("").toAbsolutePath() + " (and $" + CHECKOUT_ENV + " is not set)"));
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isDirectory(root.resolve(module))) {
            throw new IllegalStateException("the checkout " + root + " has no module '" + module + "'");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(module + " is not built (" + jar + " is missing): run ./mvnw -pl "
                    + module + " -am package -DskipTests");
        }
        return jar;
    }

    /** Set by the {@code ./ragtune} launcher to the repository root, so the command works from any folder. */
    public static final String CHECKOUT_ENV = "RAGTUNE_CHECKOUT";

    /**
     * The root of the ragtune checkout: {@code $RAGTUNE_CHECKOUT}, else the nearest folder above the working
     * directory with a {@code pom.xml} and the {@code model-registry} module (tests run in a module's folder).
     */
    public static java.util.Optional<Path> checkoutRoot() {
        String env = System.getenv(CHECKOUT_ENV);
        if (env != null && !env.isBlank()) {
            return java.util.Optional.of(Path.of(env).toAbsolutePath().normalize());
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("model-registry"))) {
                return java.util.Optional.of(d);
            }
        }
        return java.util.Optional.empty();
    }

    /** Starts the JVM and waits until the readiness probe answers 200; fails with the log's tail otherwise. */
    public synchronized ServiceProcess start() {
        if (isAlive()) {
            return this;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-Dquarkus.http.port=" + port);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(logFile, "---- " + java.time.Instant.now() + " starting " + name + " on port " + port + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(jar.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
        try {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } catch (IllegalArgumentException alreadyAdded) {
            // restarted: the hook is registered once
        }
        awaitReady();
        LOG.info("{} is up on port {} (pid {})", name, port, process.pid());
        return this;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(baseUrl().resolve(healthPath)).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitValue()
                        + " while starting; last lines of " + logFile + ":\n" + logTail(40));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(250);
        }
        kill();
        throw new IllegalStateException(name + " did not become ready on " + baseUrl().resolve(healthPath) + " within "
                + startTimeout.toSeconds() + " s; last lines of " + logFile + ":\n" + logTail(40));
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** Exit status once the process has ended, else {@code null}. */
    public Integer exitValue() {
        Process p = process;
        return p == null || p.isAlive() ? null : p.exitValue();
    }

    /** SIGTERM (Quarkus shuts down gracefully), SIGKILL after 30 s. */
    public synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                LOG.warn("{} did not stop within 30 s; killing it", name);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** SIGKILL: the abrupt end of a crash, no shutdown hooks in the child. */
    public synchronized void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of the log (for error messages). */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // JVM shutting down, or never registered
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings of a service process. */
    public static final class Builder {
        private final String name;
        private final Path jar;
        private int port;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path logFile;
        private String healthPath = "/q/health/ready";
        private Duration startTimeout = Duration.ofSeconds(120);

        private Builder(String name, Path jar) {
            this.name = name;
            this.jar = jar.toAbsolutePath();
            this.logFile = Path.of(System.getProperty("java.io.tmpdir"), "ragtune-" + name + ".log");
        }

        /** HTTP port; 0 (the default) picks a free one, kept across restarts. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /** A {@code -Dkey=value} system property (Quarkus reads configuration from them first). */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> values) {
            properties.putAll(values);
            return this;
        }

        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        public Builder healthPath(String path) {
            this.healthPath = path;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public ServiceProcess build() {
            return new ServiceProcess(this);
        }

        public ServiceProcess start() {
            return build().start();
        }
    }
}
