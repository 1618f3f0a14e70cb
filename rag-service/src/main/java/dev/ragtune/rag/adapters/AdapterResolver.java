package dev.ragtune.rag.adapters;

import java.util.Optional;

/**
 * Turns a request's {@link AdapterRef} into a lease: aliases resolve to the version loaded for
 * them; a version not loaded yet is downloaded and loaded on demand (and closed again after its
 * last request unless an alias points at it).
 */
public final class AdapterResolver {
    private final AdapterTable table;
    private final AdapterLoader loader;

    public AdapterResolver(AdapterTable table, AdapterLoader loader) {
        this.table = table;
        this.loader = loader;
    }

    public AdapterTable table() {
        return table;
    }

    public AdapterLease lease(AdapterRef ref) {
        Optional<AdapterLease> lease = table.tryLease(ref);
        if (lease.isPresent()) {
            return lease.get();
        }
        return table.leaseInstalled(loader.load(ref.adapter(), ref.version()));
    }
}
