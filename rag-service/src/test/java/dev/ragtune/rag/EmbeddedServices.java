package dev.ragtune.rag;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.embedded.TestInfrastructure;
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

    private TestInfrastructure infra;

    @Override
    public Map<String, String> start() {
        infra = TestInfrastructure.start("rag-test-", "rag");
        Map<String, String> cfg = new HashMap<>(infra.datasource());
        cfg.put("ragtune.rag.kafka.bootstrap-servers", infra.kafka().bootstrapServers());
        cfg.put("ragtune.rag.index-dir", infra.dir().resolve("index").toString());
        cfg.put("ragtune.rag.ingest.max-document-bytes", Integer.toString(MAX_DOCUMENT_BYTES));
        cfg.put("ragtune.rag.api-keys." + QUERY, "query:test-query");
        cfg.put("ragtune.rag.api-keys." + INGEST, "ingest:test-ingest");
        cfg.put("ragtune.rag.api-keys." + ADMIN, "admin:test-admin");
        return cfg;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(infra.kafka(), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, KafkaBroker.class));
        injector.injectIntoFields(infra.postgres(), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, PostgresServer.class));
        injector.injectIntoFields(infra.dir().resolve("index"), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, Path.class));
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
    }
}
