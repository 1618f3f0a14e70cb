package dev.ragtune.rag.generate;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.rag.adapters.AdapterEventListener;
import dev.ragtune.rag.adapters.AdapterHotLoader;
import dev.ragtune.rag.adapters.AdapterLoader;
import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.adapters.AdapterResolver;
import dev.ragtune.rag.adapters.AdapterTable;
import dev.ragtune.rag.adapters.RegistryAdapterSource;
import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.config.RagConfig;
import dev.ragtune.common.errors.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;

/**
 * The served model and everything around it, set up at start: the checkpoint opened in ONNX
 * Runtime (export cached by content hash), the bounded generation pool, the adapter table with the
 * registry sync and the {@code adapter-events} hot-loader. Without {@code ragtune.rag.model.dir}
 * the answer endpoints answer 503 and retrieval still works.
 */
@ApplicationScoped
public class ModelRuntime {
    private static final Logger LOG = Logger.getLogger(ModelRuntime.class);

    @Inject
    GenerationConfig config;

    @Inject
    RagConfig ragConfig;

    @Inject
    MeterRegistry meters;

    private ServingModel model;
    private GenerationPool pool;
    private CitationPromptBuilder prompts;
    private AdapterTable table;
    private AdapterResolver resolver;
    private AdapterHotLoader hotLoader;
    private RegistryClient registry;
    private AdapterRef defaultRef;
    private Instant startedAt = Instant.now();

    void onStart(@Observes StartupEvent event) {
        startedAt = Instant.now();
        Set<String> served = new LinkedHashSet<>(config.adapters().served().orElse(List.of()));
        served.removeIf(String::isBlank);
        defaultRef = AdapterRef.parse(config.adapters().defaultRef(), config.adapters().defaultAlias());
        if (!defaultRef.isBase() && !served.contains(defaultRef.adapter())) {
            throw new IllegalStateException("ragtune.rag.adapters.default-ref '" + defaultRef + "' names adapter '"
                    + defaultRef.adapter() + "' which is not in ragtune.rag.adapters.served " + served);
        }
        if (config.model().dir().isEmpty()) {
            LOG.warn("ragtune.rag.model.dir (RAGTUNE_MODEL_DIR) is not set: /v1/query and /v1/chat/completions answer 503");
            return;
        }
        if (!served.isEmpty() && config.registry().url().isEmpty()) {
            throw new IllegalStateException("ragtune.rag.adapters.served " + served
                    + " needs the registry: set ragtune.rag.registry.url (RAGTUNE_RAG_REGISTRY_URL)");
        }
        long t0 = System.nanoTime();
        model = ServingModel.open(config.model().dir().get(), config.model().cacheDir(),
                Precision.parse(config.model().precision()), config.model().threads());
        LOG.infof("serving %s (context %d tokens) in %.1f s", config.model().dir().get(), model.decoder().contextLength(),
                (System.nanoTime() - t0) / 1e9);
        pool = new GenerationPool(model.generator(), config.generation().maxConcurrent(), config.generation().maxQueued());
        prompts = new CitationPromptBuilder(model.tokenizer(), model.decoder().contextLength(),
                config.generation().citationInstruction().orElse(null));
        table = new AdapterTable(served);
        Gauge.builder("ragtune.rag.generation.active", pool, GenerationPool::active)
                .description("generations decoding now").register(meters);
        Gauge.builder("ragtune.rag.generation.queued", pool, GenerationPool::queued)
                .description("generations waiting for a slot").register(meters);
        if (served.isEmpty()) {
            resolver = new AdapterResolver(table, null);
            return;
        }
        registry = new RegistryClient(URI.create(config.registry().url().get()), config.registry().key().orElse(null),
                config.registry().timeout(), config.registry().timeout());
        AdapterLoader loader = new AdapterLoader(model, new RegistryAdapterSource(registry, config.adapters().cacheDir()));
        resolver = new AdapterResolver(table, loader);
        for (String adapter : served) {
            Counter.builder("ragtune.rag.adapter.swaps").tag("adapter", adapter)
                    .description("alias switches applied (hot-loads)").register(meters);
            Counter.builder("ragtune.rag.adapter.load.failures").tag("adapter", adapter)
                    .description("adapter versions rejected: download, sha256, validation or load failed").register(meters);
        }
        hotLoader = new AdapterHotLoader(table, loader, new AdapterHotLoader.Settings(ragConfig.kafka().bootstrapServers(),
                config.adapters().topic(), config.adapters().groupPrefix() + UUID.randomUUID(),
                config.adapters().retryInterval(), config.adapters().consumer()), new MetricsListener());
        hotLoader.start();
    }

    private final class MetricsListener implements AdapterEventListener {
        @Override
        public void onSwap(String adapter, String alias, Integer from, Integer to, Instant occurredAt) {
            meters.counter("ragtune.rag.adapter.swaps", "adapter", adapter).increment();
            // the version this replica serves per alias (NaN once the alias is removed): replicas that disagree
            // for long are what the RagtuneAdapterVersionSkew alert looks for; registering again is a no-op
            Gauge.builder("ragtune.rag.adapter.version", table,
                            t -> t.aliasVersions(adapter).getOrDefault(alias, null) == null ? Double.NaN : t.aliasVersions(adapter).get(alias))
                    .tags("adapter", adapter, "alias", alias)
                    .description("the adapter version an alias points at in this replica").register(meters);
            if (occurredAt != null) {
                Duration lag = Duration.between(occurredAt, Instant.now());
                if (!lag.isNegative()) {
                    Timer.builder("ragtune.rag.adapter.swap.lag").tag("adapter", adapter)
                            .description("from the registry's change to the new version serving here")
                            .publishPercentiles(0.5, 0.99).register(meters).record(lag);
                }
            }
        }

        @Override
        public void onLoadFailure(String adapter, int version, Exception error) {
            meters.counter("ragtune.rag.adapter.load.failures", "adapter", adapter).increment();
        }
    }

    @PreDestroy
    void stop() {
        if (hotLoader != null) {
            hotLoader.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (table != null) {
            table.closeAll();
        }
        if (model != null) {
            model.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    public boolean available() {
        return model != null;
    }

    private void requireModel() {
        if (model == null) {
            throw new ApiException(503, "unavailable", "no model is configured: set ragtune.rag.model.dir (RAGTUNE_MODEL_DIR)");
        }
    }

    public ServingModel model() {
        requireModel();
        return model;
    }

    public GenerationPool pool() {
        requireModel();
        return pool;
    }

    public CitationPromptBuilder prompts() {
        requireModel();
        return prompts;
    }

    public AdapterResolver resolver() {
        requireModel();
        return resolver;
    }

    /** The adapter table; null when no model is configured. */
    public AdapterTable table() {
        return table;
    }

    /** The hot-loader; null when no adapter is served. */
    public AdapterHotLoader hotLoader() {
        return hotLoader;
    }

    public AdapterRef defaultRef() {
        return defaultRef;
    }

    public String defaultAlias() {
        return config.adapters().defaultAlias();
    }

    public int configuredDefaultMaxTokens() {
        return config.generation().defaultMaxTokens();
    }

    public int configuredMaxTokensLimit() {
        return config.generation().maxTokensLimit();
    }

    public int configuredDefaultTopK() {
        return config.generation().defaultTopK();
    }

    public Instant startedAt() {
        return startedAt;
    }
}
