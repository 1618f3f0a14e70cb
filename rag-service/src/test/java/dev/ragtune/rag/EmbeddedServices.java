package dev.ragtune.rag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real PostgreSQL and a real KRaft Kafka broker (from the {@code embedded} module) for the rag-service's tests, and
 * a fresh Lucene index directory. Shared by every test class (same resource, so Quarkus starts the application once).
 */
public class EmbeddedServices implements QuarkusTestResourceLifecycleManager {

    public static final String QUERY = "test-query-key";
    public static final String INGEST = "test-ingest-key";
    public static final String ADMIN = "test-admin-key";
    /** Upload limit in the tests, small so that an oversize file is cheap to make. */
    public static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private Path dir;
    private PostgresServer postgres;
    private KafkaBroker kafka;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("rag-test-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        postgres = PostgresServer.start();
        postgres.createDatabase("rag");
        kafka = KafkaBroker.start(dir.resolve("kafka"), 0);
        Map<String, String> cfg = new HashMap<>();
        cfg.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl("rag"));
        cfg.put("quarkus.datasource.username", postgres.username());
        cfg.put("quarkus.datasource.password", postgres.password());
        cfg.put("ragtune.rag.kafka.bootstrap-servers", kafka.bootstrapServers());
        cfg.put("ragtune.rag.index-dir", dir.resolve("index").toString());
        cfg.put("ragtune.rag.ingest.max-document-bytes", Integer.toString(MAX_DOCUMENT_BYTES));
        cfg.put("ragtune.rag.api-keys." + QUERY, "query:test-query");
        cfg.put("ragtune.rag.api-keys." + INGEST, "ingest:test-ingest");
        cfg.put("ragtune.rag.api-keys." + ADMIN, "admin:test-admin");
        return cfg;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(kafka, new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, KafkaBroker.class));
        injector.injectIntoFields(postgres, new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, PostgresServer.class));
        injector.injectIntoFields(dir.resolve("index"), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, Path.class));
    }

    @Override
    public void stop() {
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
                // temp
            }
        }
    }
}
