package dev.ragtune.tuning;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.embedded.TestInfrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real PostgreSQL, a real KRaft Kafka broker (topics {@value #RECORDS} with {@value #RECORD_PARTITIONS} partitions,
 * {@value #DLQ}, {@value #EVENTS}) and the tiny demo checkpoint (its tokenizer measures records) for the worker's
 * tests. Shared by every test class (same resource, so Quarkus starts the application once).
 */
public class EmbeddedServices implements QuarkusTestResourceLifecycleManager {

    public static final String READER = "test-reader-key";
    public static final String OPS = "test-ops-key";
    public static final String ADMIN = "test-admin-key";
    public static final String RECORDS = "training-records";
    public static final String DLQ = "training-records.dlq";
    public static final String EVENTS = "adapter-events";
    public static final String GROUP = "ragtune-tuning-worker";
    public static final int RECORD_PARTITIONS = 4;
    /** Limits the tests run with: small enough to reach with a hand-written record. */
    public static final int MAX_RECORD_BYTES = 8192;
    public static final int MAX_SEQ_LEN = 512;

    private TestInfrastructure infra;

    @Override
    public Map<String, String> start() {
        infra = TestInfrastructure.start("worker-test-", "worker");
        Path dir = infra.dir();
        try {
            DemoCheckpointWriter.write(dir.resolve("model"), DemoPreset.TINY, 42);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Kafka.createTopic(infra.kafka(), RECORDS, RECORD_PARTITIONS);
            Kafka.createTopic(infra.kafka(), DLQ, 1);
            Kafka.createTopic(infra.kafka(), EVENTS, 1);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics: " + e.getMessage(), e);
        }
        Map<String, String> cfg = new HashMap<>(infra.datasource());
        cfg.put("ragtune.worker.kafka.bootstrap-servers", infra.kafka().bootstrapServers());
        cfg.put("ragtune.worker.kafka.max-backoff", "1s");
        cfg.put("ragtune.worker.kafka.delivery-timeout", "10s");
        cfg.put("ragtune.worker.checkpoint-dir", dir.resolve("model").toString());
        cfg.put("ragtune.worker.work-dir", dir.resolve("work").toString());
        cfg.put("ragtune.worker.records.max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
        cfg.put("ragtune.worker.max-seq-len", Integer.toString(MAX_SEQ_LEN));
        cfg.put("ragtune.worker.api-keys." + READER, "reader:test-reader");
        cfg.put("ragtune.worker.api-keys." + OPS, "ops:test-ops");
        cfg.put("ragtune.worker.api-keys." + ADMIN, "admin:test-admin");
        return cfg;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(infra.kafka(), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, KafkaBroker.class));
        injector.injectIntoFields(infra.postgres(), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, PostgresServer.class));
        injector.injectIntoFields(infra.dir().resolve("model"), new TestInjector.AnnotatedAndMatchesType(InjectEmbedded.class, Path.class));
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
    }
}
