package dev.ragtune.tuning.jobs;

import dev.ragtune.common.demo.DemoCheckpointWriter;
import dev.ragtune.common.demo.DemoPreset;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.Kafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the worker's job tests run against, all real: PostgreSQL (databases {@code worker} and the
 * registry's), a KRaft Kafka broker with the worker's topics, the model-registry as a child JVM
 * ({@link ModelRegistryProcess}) and the tiny demo checkpoint. The job loop is switched on (it is off
 * in the other worker tests) and polls every second; automatic triggers are on with thresholds the
 * tests do not reach, so only manual jobs run.
 */
public class JobServices implements QuarkusTestResourceLifecycleManager {
    static volatile URI registryUrl;
    static volatile String registryAdminKey;
    static volatile String kafkaBootstrap;
    static volatile Path checkpoint;
    static volatile Path workDir;

    private Path dir;
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private ModelRegistryProcess registry;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("worker-jobs-test-");
            DemoCheckpointWriter.write(dir.resolve("model"), DemoPreset.TINY, 7);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        postgres = PostgresServer.start();
        postgres.createDatabase("worker");
        kafka = KafkaBroker.start(dir.resolve("kafka"), 0);
        try {
            Kafka.createTopic(kafka, EmbeddedServices.RECORDS, 2);
            Kafka.createTopic(kafka, EmbeddedServices.DLQ, 1);
            Kafka.createTopic(kafka, EmbeddedServices.EVENTS, 1);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics: " + e.getMessage(), e);
        }
        registry = ModelRegistryProcess.start(postgres, kafka, dir.resolve("registry"));
        registryUrl = registry.baseUrl();
        registryAdminKey = registry.key("admin");
        kafkaBootstrap = kafka.bootstrapServers();
        checkpoint = dir.resolve("model");
        workDir = dir.resolve("work");

        Map<String, String> cfg = new HashMap<>();
        cfg.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl("worker"));
        cfg.put("quarkus.datasource.username", postgres.username());
        cfg.put("quarkus.datasource.password", postgres.password());
        cfg.put("ragtune.worker.kafka.bootstrap-servers", kafka.bootstrapServers());
        cfg.put("ragtune.worker.kafka.max-backoff", "1s");
        cfg.put("ragtune.worker.checkpoint-dir", checkpoint.toString());
        cfg.put("ragtune.worker.work-dir", workDir.toString());
        cfg.put("ragtune.worker.api-keys." + EmbeddedServices.READER, "reader:test-reader");
        cfg.put("ragtune.worker.api-keys." + EmbeddedServices.OPS, "ops:test-ops");
        cfg.put("ragtune.worker.api-keys." + EmbeddedServices.ADMIN, "admin:test-admin");
        cfg.put("ragtune.worker.registry.url", registryUrl.toString());
        cfg.put("ragtune.worker.registry.api-key", registryAdminKey);
        cfg.put("ragtune.worker.jobs.runner-enabled", "true");
        cfg.put("ragtune.worker.jobs.triggers-enabled", "true");
        cfg.put("ragtune.worker.jobs.min-new-records", "100000");
        cfg.put("ragtune.worker.jobs.interval", "1000h");
        cfg.put("ragtune.worker.jobs.poll-interval", "1s");
        cfg.put("ragtune.worker.jobs.lease-duration", "30s");
        cfg.put("ragtune.worker.jobs.heartbeat-interval", "1s");
        cfg.put("ragtune.worker.jobs.publish-initial-backoff", "200ms");
        cfg.put("ragtune.worker.jobs.publish-max-backoff", "2s");
        return cfg;
    }

    @Override
    public void stop() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary files
            }
        }
    }
}
