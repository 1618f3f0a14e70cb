package dev.ragtune.rag.adapters;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.ragtune.model.generate.OrtAdapter;

/**
 * A request's hold on the adapter it started with: the version cannot be closed until the lease
 * is released, whatever happens to its aliases meanwhile. {@link #base()} holds nothing.
 */
public final class AdapterLease implements AutoCloseable {
    private final AdapterTable table;
    private final LoadedVersion version;
    private final String alias;
    private final AtomicBoolean released = new AtomicBoolean();

    AdapterLease(AdapterTable table, LoadedVersion version, String alias) {
        this.table = table;
        this.version = version;
        this.alias = alias;
    }

    public static AdapterLease base() {
        return new AdapterLease(null, null, null);
    }

    public boolean isBase() {
        return version == null;
    }

    /** The adapter for {@code GenerationRequest}, null for the base model. */
    public OrtAdapter ort() {
        return version == null ? null : version.ort();
    }

    public String adapter() {
        return version == null ? null : version.adapter();
    }

    public Integer version() {
        return version == null ? null : version.version();
    }

    /** The alias the request named (or resolved by default), null for version references. */
    public String alias() {
        return alias;
    }

    /** The model id as OpenAI responses show it. */
    public String modelId() {
        if (version == null) {
            return AdapterRef.BASE_NAME;
        }
        return alias != null ? version.adapter() + ":" + alias : version.key();
    }

    @Override
    public void close() {
        if (version != null && released.compareAndSet(false, true)) {
            table.release(version);
        }
    }
}
