package dev.ragtune.rag.answer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.ragtune.rag.adapters.AdapterLoader;

/**
 * {@link GenerationServices} (real PostgreSQL, Kafka, model-registry child JVM, demo checkpoint through ONNX Runtime,
 * {@code support-bot} 1..3 configured) with an adapter memory budget that holds {@value #BUDGET_VERSIONS} adapter
 * versions: two and a half times the size of one test adapter's {@code .onnx_adapter} (all test adapters have the same
 * shape, so the same size). Adapters the tests load on demand are registered by the tests, while the service runs.
 */
public class OnDemandServices extends GenerationServices {
    public static final int BUDGET_VERSIONS = 2;

    @Override
    public Map<String, String> start() {
        Map<String, String> cfg = new HashMap<>(super.start());
        try {
            Path ckpt = Path.of(cfg.get("ragtune.rag.model.dir"));
            Path probe = TestAdapters.writeRandom(ckpt, Files.createTempDirectory("rag-adapter-size-"), 1);
            long one = AdapterLoader.bytes(probe);
            cfg.put("ragtune.rag.adapters.memory-budget", Long.toString(one * BUDGET_VERSIONS + one / 2));
            cfg.put("ragtune.rag.adapters.retry-interval", "2s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cfg;
    }
}
