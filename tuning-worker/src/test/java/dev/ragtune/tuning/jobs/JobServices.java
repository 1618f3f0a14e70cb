package dev.ragtune.tuning.jobs;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.TestInfrastructure;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.Kafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.URI;
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

    private TestInfrastructure infra;
    private ModelRegistryProcess registry;

    @Override
    public Map<String, String> start() {
        infra = TestInfrastructure.start("worker-jobs-test-", "worker");
        Path dir = infra.dir();
        try {
            DemoCheckpointWriter.write(dir.resolve("model"), DemoPreset.TINY, 7);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Kafka.createTopic(infra.kafka(), EmbeddedServices.RECORDS, 2);
            Kafka.createTopic(infra.kafka(), EmbeddedServices.DLQ, 1);
            Kafka.createTopic(infra.kafka(), EmbeddedServices.EVENTS, 1);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics: " + e.getMessage(), e);
        }
        registry = ModelRegistryProcess.start(infra.postgres(), infra.kafka(), dir.resolve("registry"));
        registryUrl = registry.baseUrl();
        registryAdminKey = registry.key("admin");
        kafkaBootstrap = infra.kafka().bootstrapServers();
        checkpoint = dir.resolve("model");
        workDir = dir.resolve("work");

        Map<String, String> cfg = new HashMap<>(infra.datasource());
        cfg.put("ragtune.worker.kafka.bootstrap-servers", kafkaBootstrap);
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
        if (infra != null) {
            infra.close();
        }
    }
}
