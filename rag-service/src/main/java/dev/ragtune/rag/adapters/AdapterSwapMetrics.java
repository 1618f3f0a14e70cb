package dev.ragtune.rag.adapters;

import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The hot-loader's reports as metrics: {@code ragtune.rag.adapter.swaps}, {@code ragtune.rag.adapter.load.failures}
 * (both registered at zero for every served adapter), {@code ragtune.rag.adapter.version} per alias and
 * {@code ragtune.rag.adapter.swap.lag}.
 */
public final class AdapterSwapMetrics implements HotLoadListener {
    private final MeterRegistry meters;
    private final AdapterTable table;

    public AdapterSwapMetrics(MeterRegistry meters, AdapterTable table) {
        this.meters = meters;
        this.table = table;
        for (String adapter : table.adapters()) {
            Counter.builder("ragtune.rag.adapter.swaps").tag("adapter", adapter)
                    .description("alias switches applied (hot-loads)").register(meters);
            Counter.builder("ragtune.rag.adapter.load.failures").tag("adapter", adapter)
                    .description("adapter versions rejected: download, sha256, validation or load failed").register(meters);
        }
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
