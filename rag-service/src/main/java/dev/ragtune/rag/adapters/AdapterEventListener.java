package dev.ragtune.rag.adapters;

import java.time.Instant;

/** What the hot-loader reports (to metrics and logs). */
public interface AdapterEventListener {
    AdapterEventListener NONE = new AdapterEventListener() {
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
