package dev.ragtune.rag.adapters;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The hot-loader's and the on-demand loader's reports as metrics: {@code ragtune.rag.adapter.swaps},
 * {@code ragtune.rag.adapter.load.failures} (both registered at zero for every configured adapter),
 * {@code ragtune.rag.adapter.version} per alias, {@code ragtune.rag.adapter.swap.lag}; loads
 * ({@code ragtune.rag.adapter.loads}), their time ({@code ragtune.rag.adapter.load}), evictions
 * ({@code ragtune.rag.adapter.evictions}) and the memory budget ({@code ragtune.rag.adapter.memory.bytes} in use,
 * {@code ragtune.rag.adapter.memory.budget.bytes}).
 */
public final class AdapterSwapMetrics implements HotLoadListener, AdapterResolver.LoadListener, AdapterTable.EvictionListener {
    private final MeterRegistry meters;
    private final AdapterTable table;

    public AdapterSwapMetrics(MeterRegistry meters, AdapterTable table) {
        this.meters = meters;
        this.table = table;
        // gauges hold their object weakly and registering an existing id is a no-op: drop those of an earlier
        // application in this JVM (Quarkus tests restart the application over one meter registry) so these are bound here
        for (String gauge : List.of("ragtune.rag.adapter.version", "ragtune.rag.adapter.memory.bytes", "ragtune.rag.adapter.memory.budget.bytes")) {
            meters.find(gauge).meters().forEach(meters::remove);
        }
        for (String adapter : table.adapters()) {
            Counter.builder("ragtune.rag.adapter.swaps").tag("adapter", adapter)
                    .description("alias switches applied (hot-loads)").register(meters);
            Counter.builder("ragtune.rag.adapter.load.failures").tag("adapter", adapter)
                    .description("adapter versions rejected: download, sha256, validation or load failed").register(meters);
        }
        Gauge.builder("ragtune.rag.adapter.memory.bytes", table, AdapterTable::bytesInUse)
                .description("bytes of adapter versions resident (and being loaded) in this replica").register(meters);
        Gauge.builder("ragtune.rag.adapter.memory.budget.bytes", table, AdapterTable::budgetBytes)
                .description("the adapter memory budget (ragtune.rag.adapters.memory-budget)").register(meters);
    }

    @Override
    public void onLoaded(String adapter, int version, long nanos, long bytes, String thread) {
        Counter.builder("ragtune.rag.adapter.loads").tag("adapter", adapter)
                .description("adapter versions downloaded, verified and loaded into ONNX Runtime").register(meters).increment();
        Timer.builder("ragtune.rag.adapter.load").tag("adapter", adapter)
                .description("time to download, verify and load an adapter version").publishPercentiles(0.5, 0.99)
                .register(meters).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void onEvicted(String adapter, int version, long bytes) {
        Counter.builder("ragtune.rag.adapter.evictions").tag("adapter", adapter)
                .description("adapter versions evicted to stay within the memory budget").register(meters).increment();
    }

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
