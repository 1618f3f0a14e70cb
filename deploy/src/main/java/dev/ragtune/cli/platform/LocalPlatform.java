package dev.ragtune.cli.platform;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.embedded.ServiceProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole platform on one machine: a real PostgreSQL (one database per service), a real single-node KRaft Kafka
 * broker with the three topics, then model-registry, tuning-worker and rag-service as separate JVMs wired to them.
 * Components start in that order and stop in the reverse one. State lives under {@link PlatformHome}.
 */
public final class LocalPlatform implements AutoCloseable {
    public static final String TRAINING_RECORDS = "training-records";
    public static final String DLQ = "training-records.dlq";
    public static final String ADAPTER_EVENTS = "adapter-events";
    /** Name of the base model in the registry when the demo checkpoint is used. */
    public static final String DEMO_BASE_MODEL = "demo-tiny";

    private final PlatformSettings settings;
    private final PlatformHome home;
    private final Consumer<String> progress;
    private final long created = System.nanoTime();
    private Map<String, String> keys;
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private final List<ServiceProcess> services = new ArrayList<>();
    private Path checkpoint;
    private String baseModel;
    private volatile boolean stopping;

    public LocalPlatform(PlatformSettings settings, Consumer<String> progress) {
        this.settings = settings;
        this.home = settings.home();
        // every line says how long the start has taken so far: where the time of 'up' goes
        this.progress = line -> progress.accept(String.format(java.util.Locale.ROOT, "[%5.1f s] %s",
                (System.nanoTime() - created) / 1e9, line));
    }

    /** Starts every component and waits for each one's health; on failure stops what was started. */
    public LocalPlatform start() {
        try {
            Files.createDirectories(home.logs());
            keys = ApiKeyFile.loadOrCreate(home.apiKeys());
            startInfrastructure();
            prepareCheckpoint();
            startServices();
            registerBaseModel();
            ingestStarterCorpus();
            progress.accept("all components healthy");
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startInfrastructure() {
        progress.accept("starting PostgreSQL on port " + settings.postgresPort());
        postgres = PostgresServer.start(home.postgres(), settings.postgresPort());
        for (String db : List.of("registry", "worker", "rag")) {
            postgres.createDatabase(db);
        }
        progress.accept("starting Kafka on port " + settings.kafkaPort());
        kafka = KafkaBroker.start(home.kafka(), settings.kafkaPort());
        kafka.createTopics(3, TRAINING_RECORDS);
        kafka.createTopics(1, DLQ, ADAPTER_EVENTS);
    }

    private void prepareCheckpoint() throws IOException {
        if (settings.checkpoint() != null) {
            checkpoint = settings.checkpoint().toAbsolutePath().normalize();
            baseModel = checkpoint.getFileName().toString().toLowerCase().replaceAll("[^a-z0-9-]", "-");
        } else {
            checkpoint = home.demoCheckpoint();
            baseModel = DEMO_BASE_MODEL;
            if (!Files.exists(checkpoint.resolve("config.json"))) {
                progress.accept("writing the demo checkpoint to " + checkpoint);
                DemoCheckpointWriter.write(checkpoint, DemoPreset.TINY, 7);
            }
        }
        // fails early, with the reason, on a folder that is not a usable checkpoint
        try (Checkpoint ignored = Checkpoint.open(checkpoint)) {
            progress.accept("base model: " + checkpoint);
        }
    }

    private void startServices() {
        String jdbcUser = postgres.username();
        String jdbcPassword = postgres.password();
        String bootstrap = kafka.bootstrapServers();

        ServiceProcess.Builder registry = service("model-registry", settings.registryPort())
                .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl("registry"))
                .property("quarkus.datasource.username", jdbcUser)
                .property("quarkus.datasource.password", jdbcPassword)
                .property("ragtune.registry.kafka.bootstrap-servers", bootstrap)
                .property("ragtune.registry.blob-dir", home.registryBlobs().toString())
                .property("ragtune.registry.public-base-url", registryUrl().toString());
        apiKeys(registry, "ragtune.registry.api-keys", List.of("admin", "ops", "publisher", "reader"));
        launch("model-registry", registry);

        ServiceProcess.Builder worker = service("tuning-worker", settings.workerPort())
                .jvmArg("-Xmx4g")
                .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl("worker"))
                .property("quarkus.datasource.username", jdbcUser)
                .property("quarkus.datasource.password", jdbcPassword)
                .property("ragtune.worker.kafka.bootstrap-servers", bootstrap)
                .property("ragtune.worker.checkpoint-dir", checkpoint.toString())
                .property("ragtune.worker.work-dir", home.workerDir().toString())
                .property("ragtune.worker.registry.url", registryUrl().toString())
                .property("ragtune.worker.registry.api-key", keys.get("publisher"))
                .property("ai.djl.offline", "true")
                // progress every 2 s for 'jobs watch' and the demo (the service's default, 20 s, suits long jobs)
                .property("ragtune.worker.jobs.heartbeat-interval", "2s")
                .property("ragtune.worker.jobs.poll-interval", "2s")
                // libtorch's OpenMP threads otherwise spin while idle and starve the other JVMs on a small machine
                .env("OMP_WAIT_POLICY", "PASSIVE");
        apiKeys(worker, "ragtune.worker.api-keys", List.of("admin", "ops", "reader"));
        launch("tuning-worker", worker);

        ServiceProcess.Builder rag = service("rag-service", settings.ragPort())
                .jvmArg("-Xmx3g")
                .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl("rag"))
                .property("quarkus.datasource.username", jdbcUser)
                .property("quarkus.datasource.password", jdbcPassword)
                .property("ragtune.rag.kafka.bootstrap-servers", bootstrap)
                .property("ragtune.rag.index-dir", home.ragIndex().toString())
                .property("ragtune.rag.registry.url", registryUrl().toString())
                .property("ragtune.rag.registry.key", keys.get("reader"))
                .property("ragtune.rag.model.dir", checkpoint.toString())
                .property("ragtune.rag.model.cache-dir", home.onnxCache().toString())
                .property("ragtune.rag.adapters.cache-dir", home.root().resolve("rag").resolve("adapters").toString())
                .property("ragtune.rag.adapters.served", String.join(",", settings.servedAdapters()))
                .property("ai.djl.offline", "true");
        apiKeys(rag, "ragtune.rag.api-keys", List.of("admin", "ingest", "query"));
        launch("rag-service", rag);
    }

    private ServiceProcess.Builder service(String name, int port) {
        return ServiceProcess.builder(name, ServiceProcess.quarkusRunJar(name))
                .port(port)
                .logFile(home.log(name))
                .startTimeout(Duration.ofMinutes(5))
                .jvmArg("--enable-native-access=ALL-UNNAMED");
    }

    private void apiKeys(ServiceProcess.Builder b, String prefix, List<String> roles) {
        for (String role : roles) {
            b.property(prefix + ".\"" + keys.get(role) + "\"", role + ":local-" + role);
        }
    }

    /** Starts a service; the settings' extra properties for it are applied last, so they override the defaults above. */
    private void launch(String name, ServiceProcess.Builder b) {
        ServiceProcess p = b.properties(settings.extraProperties().getOrDefault(name, Map.of())).build();
        progress.accept("starting " + p.name() + " on port " + p.port() + " (log: " + p.logFile() + ")");
        services.add(p);
        p.start();
    }

    private void registerBaseModel() {
        try (Checkpoint ckpt = Checkpoint.open(checkpoint);
             RegistryClient registry = new RegistryClient(registryUrl(), keys.get("publisher"))) {
            registry.ensureBaseModel(baseModel, ckpt.config().architecture().hfName(), checkpoint.toString(),
                    ckpt.contentHash(), "registered by ragtune up");
        }
    }

    private void ingestStarterCorpus() {
        StarterCorpus corpus = new StarterCorpus(settings.starterDocs(), home.root().resolve("rag").resolve("starter-corpus.done"));
        if (corpus.pending()) {
            corpus.ingest(ragUrl(), keys.get("ingest"), progress);
        }
    }

    public URI registryUrl() {
        return URI.create("http://127.0.0.1:" + settings.registryPort());
    }

    public URI workerUrl() {
        return URI.create("http://127.0.0.1:" + settings.workerPort());
    }

    public URI ragUrl() {
        return URI.create("http://127.0.0.1:" + settings.ragPort());
    }

    public Map<String, String> keys() {
        return keys;
    }

    public String baseModel() {
        return baseModel;
    }

    public List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** What {@code platform.json} records: endpoints, pids and logs of the running components. */
    public PlatformState state(long supervisorPid) {
        Map<String, PlatformState.Component> components = new LinkedHashMap<>();
        components.put("postgres", new PlatformState.Component("postgresql://127.0.0.1:" + settings.postgresPort(),
                -1, home.postgres().resolve("postgres.log").toString(), "tcp"));
        components.put("kafka", new PlatformState.Component(kafka.bootstrapServers(), -1, kafka.brokerLog().toString(), "tcp"));
        for (ServiceProcess s : services) {
            components.put(s.name(), new PlatformState.Component(s.baseUrl().toString(), s.pid(), s.logFile().toString(),
                    s.baseUrl().resolve("/q/health/ready").toString()));
        }
        return new PlatformState(supervisorPid, java.time.Instant.now().toString(), home.root().toString(), baseModel,
                checkpoint.toString(), components);
    }

    /** A service that has exited although nobody stopped it, or null. */
    public ServiceProcess crashed() {
        if (stopping) {
            return null;
        }
        for (ServiceProcess s : services) {
            if (!s.isAlive()) {
                return s;
            }
        }
        return null;
    }

    /** Stops the services (newest first), then Kafka, then PostgreSQL; state on disk stays. */
    @Override
    public synchronized void close() {
        stopping = true;
        for (int i = services.size() - 1; i >= 0; i--) {
            ServiceProcess s = services.get(i);
            progress.accept("stopping " + s.name());
            s.close();
        }
        services.clear();
        if (kafka != null) {
            progress.accept("stopping Kafka");
            kafka.close();
            kafka = null;
        }
        if (postgres != null) {
            progress.accept("stopping PostgreSQL");
            postgres.close();
            postgres = null;
        }
    }

    /** The platform's progress and warnings, for the foreground {@code up}. */
    public static Consumer<String> printer(PrintStream out) {
        return line -> out.println("ragtune: " + line);
    }
}
