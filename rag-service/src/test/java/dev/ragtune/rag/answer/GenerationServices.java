package dev.ragtune.rag.answer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.common.events.AdapterEvent;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.TestInfrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Everything the generation tests run against, all real: PostgreSQL, a KRaft Kafka broker, the
 * model-registry as a child JVM on them, the tiny demo checkpoint served through ONNX Runtime, and
 * adapter {@value #ADAPTER} with versions 1, 2, 3 (random LoRA weights of distinct seeds) registered
 * in the registry, {@code production} → 1 and {@code staging} → 2 before the service starts.
 */
public class GenerationServices implements QuarkusTestResourceLifecycleManager {

    public static final String QUERY = "gen-query-key";
    public static final String INGEST = "gen-ingest-key";
    public static final String ADMIN = "gen-admin-key";
    public static final String ADAPTER = "support-bot";
    public static final String BASE_MODEL = "demo-tiny";
    public static final String EVENTS = AdapterEvent.TOPIC;
    public static final String RECORDS = "training-records";
    public static final int VERSIONS = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestInfrastructure infra;
    private ModelRegistryProcess registry;
    private GenerationFixture fixture;

    @Override
    public Map<String, String> start() {
        try {
            infra = TestInfrastructure.start("rag-gen-test-", "rag");
            Path dir = infra.dir();
            infra.kafka().createTopics(EVENTS, RECORDS);
            Path ckpt = dir.resolve("model");
            DemoCheckpointWriter.write(ckpt, DemoPreset.TINY, 11);
            String ckptHash;
            try (Checkpoint c = Checkpoint.open(ckpt)) {
                ckptHash = c.contentHash();
            }
            registry = ModelRegistryProcess.start(infra.postgres(), infra.kafka(), dir.resolve("registry"));
            Map<Integer, Path> adapterDirs = new LinkedHashMap<>();
            try (RegistryClient admin = new RegistryClient(registry.baseUrl(), registry.key("admin"))) {
                admin.ensureBaseModel(BASE_MODEL, "Qwen2ForCausalLM", ckpt.toString(), ckptHash, "tiny demo checkpoint");
                admin.ensureAdapter(ADAPTER, BASE_MODEL, "random LoRA adapters for the tests");
                for (int v = 1; v <= VERSIONS; v++) {
                    Path a = TestAdapters.writeRandom(ckpt, dir.resolve("adapters").resolve("v" + v), 1000 + v);
                    ObjectNode manifest = JSON.createObjectNode();
                    manifest.putObject("training").put("seed", 1000 + v);
                    int registered = admin.registerVersion(ADAPTER, manifest, TestAdapters.files(a)).version();
                    if (registered != v) {
                        throw new IllegalStateException("expected version " + v + ", the registry gave " + registered);
                    }
                    adapterDirs.put(v, a);
                }
                admin.setAlias(ADAPTER, "production", 1, "test set-up", false);
                admin.setAlias(ADAPTER, "staging", 2, "test set-up", false);
            }
            fixture = new GenerationFixture(dir, ckpt, infra.postgres(), infra.kafka(), registry, Map.copyOf(adapterDirs));
            Map<String, String> cfg = new HashMap<>(infra.datasource());
            cfg.put("ragtune.rag.kafka.bootstrap-servers", infra.kafka().bootstrapServers());
            cfg.put("ragtune.rag.index-dir", dir.resolve("index").toString());
            cfg.put("ragtune.rag.api-keys." + QUERY, "query:test-query");
            cfg.put("ragtune.rag.api-keys." + INGEST, "ingest:test-ingest");
            cfg.put("ragtune.rag.api-keys." + ADMIN, "admin:test-admin");
            cfg.put("ragtune.rag.model.dir", ckpt.toString());
            cfg.put("ragtune.rag.model.cache-dir", dir.resolve("model-cache").toString());
            cfg.put("ragtune.rag.model.threads", "1");
            cfg.put("ragtune.rag.registry.url", registry.baseUrl().toString());
            cfg.put("ragtune.rag.registry.key", registry.key("reader"));
            cfg.put("ragtune.rag.adapters.served", ADAPTER);
            cfg.put("ragtune.rag.adapters.cache-dir", dir.resolve("adapter-cache").toString());
            cfg.put("ragtune.rag.generation.max-concurrent", "4");
            cfg.put("ragtune.rag.generation.default-max-tokens", "16");
            return cfg;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(fixture, new TestInjector.AnnotatedAndMatchesType(InjectGeneration.class, GenerationFixture.class));
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
