package dev.ragtune.rag.serving;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.rag.adapters.AdapterDefaults;
import dev.ragtune.rag.adapters.AdapterHotLoader;
import dev.ragtune.rag.adapters.AdapterLoader;
import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.adapters.AdapterResolver;
import dev.ragtune.rag.adapters.AdapterSwapMetrics;
import dev.ragtune.rag.adapters.AdapterTable;
import dev.ragtune.rag.adapters.RegistryAdapterSource;
import dev.ragtune.rag.answer.CitationPromptBuilder;
import dev.ragtune.rag.answer.GenerationPool;
import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.config.RagConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * The served model and what is built on it, as CDI beans injected where they are used: the checkpoint opened in ONNX
 * Runtime ({@code Optional<ServingModel>}, export cached by content hash), the bounded {@code GenerationPool}, the
 * {@code CitationPromptBuilder} for its tokenizer and context, the {@code AdapterTable} (with the adapter memory
 * budget), the registry-backed {@code AdapterLoader}, the {@code AdapterResolver} (on-demand loads) and the
 * {@code adapter-events} {@code AdapterHotLoader}; plus
 * {@link AdapterDefaults}, which is there with or without a model.
 *
 * <p>Without {@code ragtune.rag.model.dir} the service still starts: every {@code Optional} here is empty, the answer
 * endpoints answer 503 and retrieval works. The hot-loader (and the registry client under it) exists only when
 * a registry is configured. Everything is created at start-up ({@link Startup}), each bean after those it is built from;
 * {@link #close()} closes them in a fixed order at shutdown: hot-loader, on-demand loader threads, pool (running
 * generations end), adapter versions, model, registry client.
 */
@Singleton
public class ServingProducers {
    private static final Logger LOG = Logger.getLogger(ServingProducers.class);

    @Inject
    GenerationConfig config;

    @Inject
    RagConfig ragConfig;

    @Inject
    MeterRegistry meters;

    private Set<String> served;
    private AdapterRef defaultRef;
    // what was opened here, closed by close()
    private ServingModel model;
    private GenerationPool pool;
    private AdapterTable table;
    private RegistryClient registry;
    private AdapterHotLoader hotLoader;
    private AdapterResolver resolver;
    private AdapterSwapMetrics metrics;

    /** Checks the adapter settings whether or not a model is configured: a bad default reference stops the start. */
    @PostConstruct
    void checkAdapterSettings() {
        served = new LinkedHashSet<>(config.adapters().served().orElse(List.of()));
        served.removeIf(String::isBlank);
        defaultRef = AdapterRef.parse(config.adapters().defaultRef(), config.adapters().defaultAlias());
        long budget = config.adapters().memoryBudget();
        if (budget < GenerationConfig.Adapters.MIN_MEMORY_BUDGET || budget > GenerationConfig.Adapters.MAX_MEMORY_BUDGET) {
            throw new IllegalStateException("ragtune.rag.adapters.memory-budget must be between "
                    + GenerationConfig.Adapters.MIN_MEMORY_BUDGET + " and " + GenerationConfig.Adapters.MAX_MEMORY_BUDGET
                    + " bytes, got " + budget);
        }
    }

    @Produces
    @Singleton
    @Startup
    AdapterDefaults adapterDefaults() {
        return new AdapterDefaults(defaultRef, config.adapters().defaultAlias());
    }

    @Produces
    @Singleton
    @Startup
    Optional<ServingModel> model() {
        if (config.model().dir().isEmpty()) {
            LOG.warn("ragtune.rag.model.dir (RAGTUNE_MODEL_DIR) is not set: /v1/query and /v1/chat/completions answer 503");
            return Optional.empty();
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
        return Optional.of(model);
    }

    @Produces
    @Singleton
    @Startup
    Optional<GenerationPool> pool(Optional<ServingModel> model) {
        return model.map(m -> {
            pool = new GenerationPool(m.generator(), config.generation().maxConcurrent(), config.generation().maxQueued());
            // gauges of an earlier application in this JVM (tests restart Quarkus over one registry) would stay bound to
            // its pool: registering an existing id is a no-op
            for (String gauge : List.of("ragtune.rag.generation.active", "ragtune.rag.generation.queued")) {
                meters.find(gauge).meters().forEach(meters::remove);
            }
            Gauge.builder("ragtune.rag.generation.active", pool, GenerationPool::active)
                    .description("generations decoding now").register(meters);
            Gauge.builder("ragtune.rag.generation.queued", pool, GenerationPool::queued)
                    .description("generations waiting for a slot").register(meters);
            return pool;
        });
    }

    @Produces
    @Singleton
    @Startup
    Optional<CitationPromptBuilder> prompts(Optional<ServingModel> model) {
        return model.map(m -> new CitationPromptBuilder(m.tokenizer(), m.decoder().contextLength(),
                config.generation().citationInstruction().orElse(null)));
    }

    /** The followed adapters' aliases and loaded versions, within the memory budget; empty without a model. */
    @Produces
    @Singleton
    @Startup
    Optional<AdapterTable> table(Optional<ServingModel> model) {
        return model.map(m -> table = new AdapterTable(served, config.adapters().memoryBudget()));
    }

    /** Downloads (verified, from the registry) and loads adapter versions; empty without a model or a registry. */
    @Produces
    @Singleton
    @Startup
    Optional<AdapterLoader> loader(Optional<ServingModel> model) {
        if (model.isEmpty() || config.registry().url().isEmpty()) {
            return Optional.empty();
        }
        registry = new RegistryClient(URI.create(config.registry().url().get()), config.registry().key().orElse(null),
                config.registry().timeout(), config.registry().timeout());
        int retryAfter = (int) Math.max(1, config.adapters().retryInterval().toSeconds());
        return Optional.of(new AdapterLoader(model.get(), new RegistryAdapterSource(registry, config.adapters().cacheDir(), retryAfter)));
    }

    private AdapterSwapMetrics metrics(AdapterTable t) {
        if (metrics == null) {
            metrics = new AdapterSwapMetrics(meters, t);
            t.evictionListener(metrics);
        }
        return metrics;
    }

    /** Leases what requests name, loading any adapter the registry has on its first request. */
    @Produces
    @Singleton
    @Startup
    Optional<AdapterResolver> resolver(Optional<AdapterTable> table, Optional<AdapterLoader> loader) {
        return table.map(t -> resolver = new AdapterResolver(t, loader.orElse(null), config.adapters().loadTimeout(), metrics(t)));
    }

    /**
     * Started here: positioned on {@code adapter-events}, the configured adapters' aliases resolved and pre-loaded; it
     * follows those and every adapter loaded on demand. Exists whenever a registry is configured.
     */
    @Produces
    @Singleton
    @Startup
    Optional<AdapterHotLoader> hotLoader(Optional<AdapterTable> table, Optional<AdapterResolver> resolver, Optional<AdapterLoader> loader) {
        if (table.isEmpty() || loader.isEmpty() || resolver.isEmpty()) {
            return Optional.empty();
        }
        hotLoader = new AdapterHotLoader(table.get(), resolver.get(), new AdapterHotLoader.Settings(ragConfig.kafka().bootstrapServers(),
                config.adapters().topic(), config.adapters().groupPrefix() + UUID.randomUUID(),
                config.adapters().retryInterval(), config.adapters().consumer()), metrics(table.get()));
        hotLoader.start();
        return Optional.of(hotLoader);
    }

    @PreDestroy
    void close() {
        if (hotLoader != null) {
            hotLoader.close();
        }
        if (resolver != null) {
            resolver.close();
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
}
