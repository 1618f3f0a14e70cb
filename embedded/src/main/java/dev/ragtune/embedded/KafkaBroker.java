package dev.ragtune.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one node), run from
 * Kafka's own jars in a separate JVM so that it can be stopped, killed and restarted on the same port
 * and storage, exactly like a real one.
 *
 * <p>Layout under the log directory given to {@link #start(Path, int)}: {@code server.properties},
 * {@code kraft-data/} (Kafka's {@code log.dirs}) and {@code broker.log} (the child's output).
 *
 * <p>The child's classpath is this JVM's {@code java.class.path} (which must hold {@code kafka_2.13}
 * and its dependencies, as it does for any module depending on this one), or the value of the system
 * property {@value #CLASSPATH_PROPERTY} when set.
 */
public final class KafkaBroker implements AutoCloseable {

    public static final String CLASSPATH_PROPERTY = "ragtune.embedded.kafka.classpath";
    public static final String JVM_OPTS_PROPERTY = "ragtune.embedded.kafka.jvm-opts";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private final Path properties;
    private final Path logFile;
    private final Thread shutdownHook;
    private Process process;
    private OutputStream parentPipe;

    private KafkaBroker(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.properties = logDir.resolve("server.properties");
        this.logFile = logDir.resolve("broker.log");
        this.shutdownHook = new Thread(this::kill, "kafka-shutdown-" + port);
    }

    /**
     * Formats the storage (first time only), starts the broker and waits until it answers.
     *
     * @param logDir directory for configuration, data and the broker's log; reused when it holds a broker already
     * @param port   PLAINTEXT port on 127.0.0.1; 0 picks a free one (kept for restarts)
     */
    public static KafkaBroker start(Path logDir, int port) {
        try {
            Path dir = logDir.toAbsolutePath();
            Files.createDirectories(dir);
            KafkaBroker broker = new KafkaBroker(dir, port == 0 ? Ports.free() : port, Ports.free());
            broker.writeProperties();
            broker.format();
            broker.launch();
            Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka in " + logDir + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    public Path brokerLog() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Creates topics with the broker defaults (1 partition, replication 1); existing ones are left alone. */
    public void createTopics(String... names) {
        createTopics(1, names);
    }

    public void createTopics(int partitions, String... names) {
        try (Admin admin = admin()) {
            List<NewTopic> topics = Arrays.stream(names)
                    .map(n -> new NewTopic(n, Optional.of(partitions), Optional.empty())).toList();
            for (var f : admin.createTopics(topics).values().entrySet()) {
                try {
                    f.getValue().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + f.getKey() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + Arrays.toString(names), e);
        }
    }

    /** Graceful stop (SIGTERM, Kafka's controlled shutdown); falls back to a kill after 60 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        closePipeQuietly();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                LOG.warn("Kafka on port {} did not stop in 60 s; killing it", port);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
        waitUntilPortFree();
    }

    /** Abrupt stop (SIGKILL), as a crash would do. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        closePipeQuietly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        waitUntilPortFree();
    }

    /** Stops the broker if it runs, then starts it again on the same port and storage and waits until it answers. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Starts a stopped or killed broker again (same port and storage). */
    public synchronized void startAgain() {
        if (!isRunning()) {
            launch();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // shutting down
        }
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(p);
    }

    // ------------------------------------------------------------------ internals

    private void writeProperties() throws IOException {
        Path data = logDir.resolve("kraft-data");
        Files.createDirectories(data);
        Map<String, String> cfg = new java.util.LinkedHashMap<>();
        cfg.put("process.roles", "broker,controller");
        cfg.put("node.id", "1");
        cfg.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        cfg.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        cfg.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        cfg.put("controller.listener.names", "CONTROLLER");
        cfg.put("inter.broker.listener.name", "PLAINTEXT");
        cfg.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        cfg.put("log.dirs", data.toString());
        cfg.put("num.partitions", "1");
        cfg.put("default.replication.factor", "1");
        cfg.put("min.insync.replicas", "1");
        cfg.put("offsets.topic.replication.factor", "1");
        cfg.put("offsets.topic.num.partitions", "3");
        cfg.put("transaction.state.log.replication.factor", "1");
        cfg.put("transaction.state.log.min.isr", "1");
        cfg.put("transaction.state.log.num.partitions", "3");
        cfg.put("share.coordinator.state.topic.replication.factor", "1");
        cfg.put("share.coordinator.state.topic.min.isr", "1");
        cfg.put("group.initial.rebalance.delay.ms", "0");
        cfg.put("auto.create.topics.enable", "true");
        cfg.put("num.network.threads", "2");
        cfg.put("num.io.threads", "2");
        cfg.put("log.retention.hours", "-1");
        StringBuilder sb = new StringBuilder("# generated by dev.ragtune.embedded.KafkaBroker\n");
        cfg.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(properties, sb.toString(), StandardCharsets.UTF_8);
    }

    private void format() throws IOException {
        if (Files.exists(logDir.resolve("kraft-data").resolve("meta.properties"))) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        Process p = new ProcessBuilder(javaCommand(List.of("format", "-t", clusterId, "-c", properties.toString(), "--ignore-formatted")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting Kafka storage timed out; see " + logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("formatting Kafka storage failed (" + p.exitValue() + "):\n" + tailOfLog());
        }
    }

    private synchronized void launch() {
        if (Ports.listening(port)) {
            throw new IllegalStateException("port " + port + " is already in use; cannot start Kafka there");
        }
        try {
            Files.writeString(logFile, "\n==== starting broker at " + java.time.Instant.now() + " ====\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(javaCommand(List.of("serve", properties.toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            parentPipe = process.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch the Kafka JVM", e);
        }
        awaitReady();
        LOG.info("Kafka broker ready on {} (data in {})", bootstrapServers(), logDir);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with code " + process.exitValue() + " while starting:\n" + tailOfLog());
            }
            if (Ports.listening(port)) {
                try (Admin admin = admin()) {
                    var nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    // not ready yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            sleep(200);
        }
        kill();
        throw new IllegalStateException("Kafka did not become ready within " + START_TIMEOUT.toSeconds() + " s:\n" + tailOfLog());
    }

    private void waitUntilPortFree() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Ports.listening(port) && System.nanoTime() < deadline) {
            sleep(100);
        }
    }

    private List<String> javaCommand(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getProperty(JVM_OPTS_PROPERTY, "-Xms64m -Xmx768m -XX:+UseSerialGC -XX:-UsePerfData");
        for (String o : opts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dkafka.logs.dir=" + logDir);
        cmd.add("-cp");
        cmd.add(System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path")));
        cmd.add(KafkaMain.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    private void closePipeQuietly() {
        if (parentPipe != null) {
            try {
                parentPipe.close();
            } catch (IOException ignored) {
                // already closed
            }
            parentPipe = null;
        }
    }

    private String tailOfLog() {
        try {
            String s = Files.readString(logFile);
            return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
        } catch (IOException e) {
            return "(no log at " + logFile + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
