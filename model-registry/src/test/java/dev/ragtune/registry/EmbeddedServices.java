package dev.ragtune.registry;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.embedded.TestInfrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real PostgreSQL and a real KRaft Kafka broker (from the {@code embedded} module) for the registry's tests.
 * Shared by every test class (same resource, so Quarkus starts the application once).
 */
public class EmbeddedServices implements QuarkusTestResourceLifecycleManager {

    public static final String READER = "test-reader-key";
    public static final String PUBLISHER = "test-publisher-key";
    public static final String OPS = "test-ops-key";
    public static final String ADMIN = "test-admin-key";
    /** The bearer key of /q/metrics (ragtune.metrics.key), as Prometheus presents it in Kubernetes. */
    public static final String METRICS = "test-metrics-key";
    public static final String TOPIC = "adapter-events";

    private TestInfrastructure infra;

    @Override
    public Map<String, String> start() {
        infra = TestInfrastructure.start("registry-test-", "registry");
        Path dir = infra.dir();
        infra.kafka().createTopics(TOPIC);
        Map<String, String> cfg = new HashMap<>(infra.datasource());
        cfg.put("ragtune.registry.kafka.bootstrap-servers", infra.kafka().bootstrapServers());
        cfg.put("ragtune.registry.kafka.delivery-timeout", "3s");
        cfg.put("ragtune.registry.kafka.max-backoff", "1s");
        cfg.put("ragtune.registry.blob-dir", dir.resolve("blobs").toString());
        cfg.put("ragtune.registry.max-manifest-bytes", "65536");
        cfg.put("ragtune.registry.public-base-url", "http://registry.test:8081");
        cfg.put("ragtune.registry.api-keys." + READER, "reader:test-reader");
        cfg.put("ragtune.registry.api-keys." + PUBLISHER, "publisher:test-publisher");
        cfg.put("ragtune.registry.api-keys." + OPS, "ops:test-ops");
        cfg.put("ragtune.registry.api-keys." + ADMIN, "admin:test-admin");
        cfg.put("ragtune.metrics.key", METRICS);
        return cfg;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(infra.kafka(), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, KafkaBroker.class));
        injector.injectIntoFields(infra.postgres(), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, PostgresServer.class));
        injector.injectIntoFields(infra.dir().resolve("blobs"), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, Path.class));
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
    }
}
