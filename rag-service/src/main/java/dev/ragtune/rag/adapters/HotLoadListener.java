package dev.ragtune.rag.adapters;

import java.time.Instant;

/**
 * What the {@link AdapterHotLoader} reports as it applies alias changes: swaps and rejected versions (the service's
 * {@link AdapterSwapMetrics} counts them). Not a Kafka listener: the hot-loader itself consumes {@code adapter-events}.
 */
public interface HotLoadListener {
    HotLoadListener NONE = new HotLoadListener() {
    };

    /**
     * An alias now points at another version (or was removed: {@code to} null).
     *
     * @param occurredAt when the registry made the change (null for the start-up resolution)
     */
    default void onSwap(String adapter, String alias, Integer from, Integer to, Instant occurredAt) {
    }

    /** A version could not be downloaded, verified or loaded; the alias keeps its previous version. */
    default void onLoadFailure(String adapter, int version, Exception error) {
    }
}
