package dev.ragtune.rag.adapters;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.jboss.logging.Logger;

/**
 * The adapter versions this replica has loaded and the aliases that point at them, with reference
 * counting: a request leases the version it resolved at its start and keeps it to its last token;
 * a version is closed (its native memory freed) only when no lease is held and no alias points at
 * it. Alias switches are atomic: a request that resolves after {@link #setAlias} returns gets the
 * new version, one that resolved before keeps the old one.
 */
public final class AdapterTable {
    private static final Logger LOG = Logger.getLogger(AdapterTable.class);
    private static final int TIMELINE_SIZE = 10_000;

    private final Object lock = new Object();
    private final Set<String> adapters;
    private final Map<String, LoadedVersion> versions = new HashMap<>();
    private final Map<String, Map<String, LoadedVersion>> aliases = new HashMap<>();
    private final Deque<AliasSwitch> timeline = new ArrayDeque<>();

    /** @param adapters the adapter names this replica serves */
    public AdapterTable(Set<String> adapters) {
        this.adapters = Set.copyOf(adapters);
        for (String a : adapters) {
            aliases.put(a, new TreeMap<>());
        }
    }

    public Set<String> adapters() {
        return adapters;
    }

    /**
     * Leases what {@code ref} names now. Empty when it names a version that is not loaded (the
     * caller loads it and calls {@link #leaseInstalled}).
     *
     * @throws AdapterReferenceException 404 for an adapter not served here or an alias not set
     */
    public Optional<AdapterLease> tryLease(AdapterRef ref) {
        if (ref.isBase()) {
            return Optional.of(AdapterLease.base());
        }
        requireServed(ref.adapter());
        synchronized (lock) {
            LoadedVersion v;
            if (ref.version() != null) {
                v = versions.get(ref.adapter() + "@" + ref.version());
                if (v == null) {
                    return Optional.empty();
                }
            } else {
                v = aliases.get(ref.adapter()).get(ref.alias());
                if (v == null) {
                    Map<String, Integer> set = aliasVersions(ref.adapter());
                    throw AdapterReferenceException.notFound("adapter '" + ref.adapter() + "' has no alias '" + ref.alias()
                            + "' loaded here" + (set.isEmpty() ? " (no alias of it is set)" : " (aliases: " + set + ")"));
                }
            }
            return Optional.of(lease(v, ref.alias()));
        }
    }

    /** Installs a freshly loaded version unless one is there already (then closes it), and leases the installed one. */
    public AdapterLease leaseInstalled(LoadedVersion loaded) {
        synchronized (lock) {
            return lease(install(loaded), null);
        }
    }

    /** The loaded version, if any (no lease: for inspection only). */
    public Optional<LoadedVersion> loaded(String adapter, int version) {
        synchronized (lock) {
            return Optional.ofNullable(versions.get(adapter + "@" + version));
        }
    }

    /** What {@link #setAliasIfLoaded} did. */
    public enum Switch { NOT_LOADED, UNCHANGED, SWITCHED }

    /**
     * Points {@code alias} at {@code version} if that version is loaded already.
     *
     * @return {@link Switch#NOT_LOADED} when it is not loaded (the caller loads it and calls {@link #setAlias})
     */
    public Switch setAliasIfLoaded(String adapter, String alias, int version) {
        requireServed(adapter);
        synchronized (lock) {
            LoadedVersion v = versions.get(adapter + "@" + version);
            if (v == null) {
                return Switch.NOT_LOADED;
            }
            return switchAlias(adapter, alias, v) ? Switch.SWITCHED : Switch.UNCHANGED;
        }
    }

    /**
     * Installs {@code loaded} (or reuses the one already loaded) and points {@code alias} at it, atomically.
     *
     * @return whether the alias changed
     */
    public boolean setAlias(String adapter, String alias, LoadedVersion loaded) {
        requireServed(adapter);
        synchronized (lock) {
            return switchAlias(adapter, alias, install(loaded));
        }
    }

    /**
     * Removes an alias; its version is closed when its last request ends.
     *
     * @return false if it was not set
     */
    public boolean removeAlias(String adapter, String alias) {
        synchronized (lock) {
            Map<String, LoadedVersion> m = aliases.get(adapter);
            LoadedVersion old = m == null ? null : m.remove(alias);
            if (old == null) {
                return false;
            }
            record(new AliasSwitch(adapter, alias, null, old.version(), System.nanoTime(), Instant.now()));
            closeIfUnused(old);
            return true;
        }
    }

    /** The version each alias of {@code adapter} points at now. */
    public Map<String, Integer> aliasVersions(String adapter) {
        synchronized (lock) {
            Map<String, Integer> out = new TreeMap<>();
            Map<String, LoadedVersion> m = aliases.get(adapter);
            if (m != null) {
                m.forEach((alias, v) -> out.put(alias, v.version()));
            }
            return out;
        }
    }

    /** Alias switches in the order they happened (the most recent {@value #TIMELINE_SIZE}). */
    public List<AliasSwitch> timeline() {
        synchronized (lock) {
            return List.copyOf(timeline);
        }
    }

    /** What {@code GET /v1/adapters/active} shows. */
    public record VersionState(String adapter, int version, List<String> aliases, Instant loadedAt, int inFlight, long served) {
    }

    public List<VersionState> snapshot() {
        synchronized (lock) {
            List<VersionState> out = new ArrayList<>();
            for (LoadedVersion v : versions.values()) {
                out.add(new VersionState(v.adapter(), v.version(), aliasesOf(v), v.loadedAt(), v.leases, v.served()));
            }
            out.sort(Comparator.comparing(VersionState::adapter).thenComparing(VersionState::version));
            return out;
        }
    }

    /** Closes every loaded version (shutdown). Requests still running would fail; call after they ended. */
    public void closeAll() {
        synchronized (lock) {
            for (LoadedVersion v : versions.values()) {
                if (!v.closed) {
                    v.closed = true;
                    v.ort().close();
                }
            }
            versions.clear();
            aliases.values().forEach(Map::clear);
        }
    }

    void release(LoadedVersion v) {
        synchronized (lock) {
            v.leases--;
            closeIfUnused(v);
        }
    }

    private void requireServed(String adapter) {
        if (!adapters.contains(adapter)) {
            throw AdapterReferenceException.notFound("adapter '" + adapter + "' is not served here; served: "
                    + (adapters.isEmpty() ? "only 'base'" : "'base', " + String.join(", ", adapters.stream().sorted().map(a -> "'" + a + "'").toList())));
        }
    }

    private AdapterLease lease(LoadedVersion v, String alias) {
        v.leases++;
        v.countServed();
        return new AdapterLease(this, v, alias);
    }

    private LoadedVersion install(LoadedVersion loaded) {
        LoadedVersion existing = versions.get(loaded.key());
        if (existing != null) {
            if (existing != loaded) {
                loaded.closed = true;
                loaded.ort().close();
            }
            return existing;
        }
        versions.put(loaded.key(), loaded);
        return loaded;
    }

    private boolean switchAlias(String adapter, String alias, LoadedVersion v) {
        LoadedVersion old = aliases.get(adapter).put(alias, v);
        if (old == v) {
            return false;
        }
        record(new AliasSwitch(adapter, alias, v.version(), old == null ? null : old.version(), System.nanoTime(), Instant.now()));
        if (old != null) {
            closeIfUnused(old);
        }
        return true;
    }

    private void record(AliasSwitch change) {
        timeline.addLast(change);
        if (timeline.size() > TIMELINE_SIZE) {
            timeline.removeFirst();
        }
    }

    private List<String> aliasesOf(LoadedVersion v) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, LoadedVersion> m = aliases.get(v.adapter());
        if (m != null) {
            m.forEach((alias, lv) -> {
                if (lv == v) {
                    out.add(alias);
                }
            });
        }
        return List.copyOf(out);
    }

    private void closeIfUnused(LoadedVersion v) {
        if (v.closed || v.leases > 0 || !aliasesOf(v).isEmpty()) {
            return;
        }
        versions.remove(v.key(), v);
        v.closed = true;
        v.ort().close();
        LOG.infof("closed adapter %s (no request and no alias uses it)", v.key());
    }

    /** Whether a version has been closed (tests). */
    public static boolean isClosed(LoadedVersion v) {
        return v.closed;
    }
}
