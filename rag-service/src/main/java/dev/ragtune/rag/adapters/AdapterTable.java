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
import java.util.TreeSet;

import org.jboss.logging.Logger;

/**
 * The adapters this replica follows, the aliases that point at their versions, and the versions it has loaded, with
 * reference counting and a memory budget.
 *
 * <ul>
 * <li><b>Followed adapters</b>: the configured ones from the start, any other once a request named it
 * ({@link #beginFollow} … {@link #completeFollow}); the hot-loader applies the events of followed adapters.</li>
 * <li><b>Aliases</b> point at version numbers; the version may be resident (loaded into ONNX Runtime) or not (evicted,
 * or moved by an event while the adapter was not resident): then the next request loads it.</li>
 * <li><b>Leases</b>: a request leases the version it resolved at its start and keeps it to its last token. A leased
 * version is never closed, never evicted.</li>
 * <li><b>Closing</b>: a version no alias points at is closed as soon as its last lease ends (versions named by
 * {@code @N} live for their burst of requests).</li>
 * <li><b>Budget</b>: resident versions plus loads in progress ({@link #reserve}) never exceed {@code budgetBytes}; to
 * make room the least recently used version that no request holds is evicted (closed; its aliases stay and reload it on
 * demand). When everything resident is leased the load waits for a release, up to its timeout.</li>
 * </ul>
 * Alias switches are atomic: a request that resolves after {@link #setAlias} returns gets the new version, one that
 * resolved before keeps the old one.
 */
public final class AdapterTable {
    private static final Logger LOG = Logger.getLogger(AdapterTable.class);
    private static final int TIMELINE_SIZE = 10_000;

    /** Told when a version is evicted to make room (metrics). */
    public interface EvictionListener {
        EvictionListener NONE = (adapter, version, bytes) -> { };

        void onEvicted(String adapter, int version, long bytes);
    }

    private final Object lock = new Object();
    private final Set<String> configured;
    private final Set<String> followed = new TreeSet<>();
    /** adapters being resolved for the first time → the aliases events touched meanwhile */
    private final Map<String, Set<String>> resolving = new HashMap<>();
    private final Map<String, LoadedVersion> versions = new HashMap<>();
    private final Map<String, Map<String, Integer>> aliases = new HashMap<>();
    private final Deque<AliasSwitch> timeline = new ArrayDeque<>();
    private final long budgetBytes;
    private long residentBytes;
    private long reservedBytes;
    private long peakBytes;
    private volatile EvictionListener evictions = EvictionListener.NONE;

    /** @param adapters the configured adapter names (followed from the start); no memory budget */
    public AdapterTable(Set<String> adapters) {
        this(adapters, Long.MAX_VALUE);
    }

    /**
     * @param adapters    the configured adapter names (followed from the start, pre-loaded by the hot-loader)
     * @param budgetBytes most bytes of adapter versions resident at once
     */
    public AdapterTable(Set<String> adapters, long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be positive, got " + budgetBytes);
        }
        this.configured = Set.copyOf(adapters);
        this.budgetBytes = budgetBytes;
        for (String a : adapters) {
            followed.add(a);
            aliases.put(a, new TreeMap<>());
        }
    }

    public void evictionListener(EvictionListener listener) {
        this.evictions = listener == null ? EvictionListener.NONE : listener;
    }

    /** The adapters followed now: the configured ones and those loaded on demand (sorted). */
    public Set<String> adapters() {
        synchronized (lock) {
            Set<String> out = new TreeSet<>(followed);
            out.removeAll(resolving.keySet());
            return out;
        }
    }

    /** The configured adapters ({@code ragtune.rag.adapters.served}). */
    public Set<String> configured() {
        return configured;
    }

    /** Whether events of {@code adapter} are applied here (followed, or being resolved for the first time). */
    public boolean follows(String adapter) {
        synchronized (lock) {
            return followed.contains(adapter);
        }
    }

    /**
     * Starts following {@code adapter}: its events are applied from now on, aliases they touch are remembered so that
     * {@link #completeFollow} does not overwrite them with an older answer of the registry.
     *
     * @return false when it is followed already
     */
    public boolean beginFollow(String adapter) {
        synchronized (lock) {
            if (!followed.add(adapter)) {
                return false;
            }
            aliases.put(adapter, new TreeMap<>());
            resolving.put(adapter, new TreeSet<>());
            return true;
        }
    }

    /** Sets the aliases the registry listed (those no event touched since {@link #beginFollow}); requests see it now. */
    public void completeFollow(String adapter, Map<String, Integer> registryAliases) {
        synchronized (lock) {
            Set<String> touched = resolving.remove(adapter);
            Map<String, Integer> m = aliases.get(adapter);
            if (m == null) {
                return;
            }
            registryAliases.forEach((alias, version) -> {
                if (touched == null || !touched.contains(alias)) {
                    Integer old = m.put(alias, version);
                    if (!version.equals(old)) {
                        record(new AliasSwitch(adapter, alias, version, old, System.nanoTime(), Instant.now()));
                    }
                }
            });
        }
    }

    /** Gives up following an adapter whose first resolution failed (unknown to the registry, registry down). */
    public void abandonFollow(String adapter) {
        synchronized (lock) {
            if (resolving.remove(adapter) != null && !configured.contains(adapter)) {
                followed.remove(adapter);
                aliases.remove(adapter);
            }
        }
    }

    /** What {@link #tryLease} found. */
    public sealed interface Lookup permits Leased, NotFollowed, NotResident {
    }

    /** The version is resident and leased. */
    public record Leased(AdapterLease lease) implements Lookup {
    }

    /** The adapter is not followed here yet (or its first resolution is in progress): resolve it through the registry. */
    public record NotFollowed(String adapter) implements Lookup {
    }

    /** The reference names {@code version}, which is not resident: load it, then {@link #leaseLoaded}. */
    public record NotResident(String adapter, int version) implements Lookup {
    }

    /**
     * Leases what {@code ref} names now, or says what is missing.
     *
     * @throws AdapterReferenceException 404 for an alias the followed adapter does not have
     */
    public Lookup tryLease(AdapterRef ref) {
        if (ref.isBase()) {
            return new Leased(AdapterLease.base());
        }
        synchronized (lock) {
            if (!followed.contains(ref.adapter()) || resolving.containsKey(ref.adapter())) {
                return new NotFollowed(ref.adapter());
            }
            int version;
            if (ref.version() != null) {
                version = ref.version();
            } else {
                Integer v = aliases.get(ref.adapter()).get(ref.alias());
                if (v == null) {
                    Map<String, Integer> set = aliasVersions(ref.adapter());
                    throw AdapterReferenceException.notFound("adapter '" + ref.adapter() + "' has no alias '" + ref.alias()
                            + "' in the registry" + (set.isEmpty() ? " (no alias of it is set)" : " (aliases: " + set + ")"));
                }
                version = v;
            }
            LoadedVersion lv = versions.get(ref.adapter() + "@" + version);
            if (lv == null) {
                return new NotResident(ref.adapter(), version);
            }
            return new Leased(lease(lv, ref.alias()));
        }
    }

    /**
     * Leases a version the caller loaded (or waited for), if it is still resident; empty when it was evicted meanwhile
     * (the caller looks up again).
     */
    public Optional<AdapterLease> leaseLoaded(LoadedVersion v, String alias) {
        synchronized (lock) {
            if (v.closed || versions.get(v.key()) != v) {
                return Optional.empty();
            }
            return Optional.of(lease(v, alias));
        }
    }

    /** Installs a freshly loaded version (not budgeted) unless one is there already (then closes it), and leases it. */
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

    // ---------------------------------------------------------------- the memory budget

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Bytes of resident versions plus loads in progress. */
    public long bytesInUse() {
        synchronized (lock) {
            return residentBytes + reservedBytes;
        }
    }

    /** The most {@link #bytesInUse()} has ever been. */
    public long peakBytes() {
        synchronized (lock) {
            return peakBytes;
        }
    }

    /**
     * Makes room for a version of {@code bytes} about to be loaded: evicts least recently used versions no request
     * holds; when that is not enough, waits for leases to end, up to {@code timeoutMillis}. The bytes count as in use
     * until {@link #installReserved} or {@link #unreserve}.
     *
     * @throws AdapterReferenceException 503 when the version is larger than the budget or no room came in time
     */
    public void reserve(String key, long bytes, long timeoutMillis) throws InterruptedException {
        if (bytes > budgetBytes) {
            throw new AdapterReferenceException(503, "adapter " + key + " needs " + bytes
                    + " bytes, more than the whole adapter memory budget of " + budgetBytes + " bytes (ragtune.rag.adapters.memory-budget)");
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        synchronized (lock) {
            while (residentBytes + reservedBytes + bytes > budgetBytes) {
                if (evictOne()) {
                    continue;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new AdapterReferenceException(503, "no room to load adapter " + key + " (" + bytes + " bytes): "
                            + "the adapter memory budget of " + budgetBytes + " bytes is held by versions requests are using; try again");
                }
                lock.wait(left);
            }
            reservedBytes += bytes;
            peakBytes = Math.max(peakBytes, residentBytes + reservedBytes);
        }
    }

    /** Returns reserved bytes whose load failed. */
    public void unreserve(long bytes) {
        synchronized (lock) {
            reservedBytes -= bytes;
            lock.notifyAll();
        }
    }

    /**
     * Installs a loaded version whose bytes were {@link #reserve reserved}; if that version is resident already the
     * new one is closed and the resident one returned. It stays only while an alias points at it or a request leases it.
     */
    public LoadedVersion installReserved(LoadedVersion loaded) {
        return installReserved(loaded, List.of(), new ArrayList<>());
    }

    /**
     * {@link #installReserved(LoadedVersion)} and, atomically with it, one lease per alias in {@code leaseAliases} (the
     * requests that waited for this load), added to {@code leases} — so no eviction can come between.
     */
    public LoadedVersion installReserved(LoadedVersion loaded, List<String> leaseAliases, List<AdapterLease> leases) {
        synchronized (lock) {
            reservedBytes -= loaded.bytes();
            LoadedVersion v = install(loaded);
            v.touch();
            for (String alias : leaseAliases) {
                leases.add(lease(v, alias));
            }
            lock.notifyAll();
            return v;
        }
    }

    /** Evicts the least recently used resident version no request holds; false when every one is leased. */
    private boolean evictOne() {
        LoadedVersion victim = null;
        for (LoadedVersion v : versions.values()) {
            if (v.leases == 0 && (victim == null || v.lastUsed() < victim.lastUsed())) {
                victim = v;
            }
        }
        if (victim == null) {
            return false;
        }
        remove(victim);
        LOG.infof("evicted adapter %s (%d bytes, least recently used) to stay within the memory budget of %d bytes",
                victim.key(), victim.bytes(), budgetBytes);
        evictions.onEvicted(victim.adapter(), victim.version(), victim.bytes());
        return true;
    }

    // ---------------------------------------------------------------- aliases

    /** What {@link #setAliasIfLoaded} did. */
    public enum Switch { NOT_LOADED, UNCHANGED, SWITCHED }

    /**
     * Points {@code alias} at {@code version} if that version is resident.
     *
     * @return {@link Switch#NOT_LOADED} when it is not (the caller loads it and calls {@link #setAlias}, or moves
     * the alias with {@link #pointAlias} to load it on demand)
     */
    public Switch setAliasIfLoaded(String adapter, String alias, int version) {
        synchronized (lock) {
            requireFollowed(adapter);
            touched(adapter, alias);
            Integer current = aliases.get(adapter).get(alias);
            if (current != null && current == version) {
                return Switch.UNCHANGED;
            }
            if (!versions.containsKey(adapter + "@" + version)) {
                return Switch.NOT_LOADED;
            }
            return switchAlias(adapter, alias, version) ? Switch.SWITCHED : Switch.UNCHANGED;
        }
    }

    /**
     * Installs {@code loaded} (or reuses the one already loaded) and points {@code alias} at it, atomically.
     *
     * @return whether the alias changed
     */
    public boolean setAlias(String adapter, String alias, LoadedVersion loaded) {
        synchronized (lock) {
            requireFollowed(adapter);
            touched(adapter, alias);
            LoadedVersion v = install(loaded);
            return switchAlias(adapter, alias, v.version());
        }
    }

    /** Points {@code alias} at {@code version} without loading it (the next request loads it). */
    public boolean pointAlias(String adapter, String alias, int version) {
        synchronized (lock) {
            requireFollowed(adapter);
            touched(adapter, alias);
            return switchAlias(adapter, alias, version);
        }
    }

    /** Whether the version {@code alias} points at now is resident (a warm alias: its next version is loaded eagerly). */
    public boolean aliasResident(String adapter, String alias) {
        synchronized (lock) {
            Map<String, Integer> m = aliases.get(adapter);
            Integer v = m == null ? null : m.get(alias);
            return v != null && versions.containsKey(adapter + "@" + v);
        }
    }

    /**
     * Removes an alias; its version is closed when its last request ends.
     *
     * @return false if it was not set
     */
    public boolean removeAlias(String adapter, String alias) {
        synchronized (lock) {
            touched(adapter, alias);
            Map<String, Integer> m = aliases.get(adapter);
            Integer old = m == null ? null : m.remove(alias);
            if (old == null) {
                return false;
            }
            record(new AliasSwitch(adapter, alias, null, old, System.nanoTime(), Instant.now()));
            closeIfUnused(adapter, old);
            return true;
        }
    }

    /** The version each alias of {@code adapter} points at now. */
    public Map<String, Integer> aliasVersions(String adapter) {
        synchronized (lock) {
            Map<String, Integer> out = new TreeMap<>();
            Map<String, Integer> m = aliases.get(adapter);
            if (m != null) {
                out.putAll(m);
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
    public record VersionState(String adapter, int version, List<String> aliases, Instant loadedAt, int inFlight, long served,
                               long bytes) {
    }

    /** The resident versions. */
    public List<VersionState> snapshot() {
        synchronized (lock) {
            List<VersionState> out = new ArrayList<>();
            for (LoadedVersion v : versions.values()) {
                out.add(new VersionState(v.adapter(), v.version(), aliasesOf(v.adapter(), v.version()), v.loadedAt(), v.leases,
                        v.served(), v.bytes()));
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
            residentBytes = 0;
            aliases.values().forEach(Map::clear);
        }
    }

    void release(LoadedVersion v) {
        synchronized (lock) {
            v.leases--;
            if (v.leases == 0) {
                lock.notifyAll(); // a load waiting for room may evict it now
            }
            closeIfUnused(v.adapter(), v.version());
        }
    }

    private void requireFollowed(String adapter) {
        if (!followed.contains(adapter)) {
            throw AdapterReferenceException.notFound("adapter '" + adapter + "' is not followed here");
        }
    }

    private void touched(String adapter, String alias) {
        Set<String> t = resolving.get(adapter);
        if (t != null) {
            t.add(alias);
        }
    }

    private AdapterLease lease(LoadedVersion v, String alias) {
        v.leases++;
        v.countServed();
        v.touch();
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
        residentBytes += loaded.bytes();
        peakBytes = Math.max(peakBytes, residentBytes + reservedBytes);
        return loaded;
    }

    private boolean switchAlias(String adapter, String alias, int version) {
        Integer old = aliases.get(adapter).put(alias, version);
        if (old != null && old == version) {
            return false;
        }
        record(new AliasSwitch(adapter, alias, version, old, System.nanoTime(), Instant.now()));
        if (old != null) {
            closeIfUnused(adapter, old);
        }
        return true;
    }

    private void record(AliasSwitch change) {
        timeline.addLast(change);
        if (timeline.size() > TIMELINE_SIZE) {
            timeline.removeFirst();
        }
    }

    private List<String> aliasesOf(String adapter, int version) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> m = aliases.get(adapter);
        if (m != null) {
            m.forEach((alias, v) -> {
                if (v == version) {
                    out.add(alias);
                }
            });
        }
        return List.copyOf(out);
    }

    private void closeIfUnused(String adapter, int version) {
        LoadedVersion v = versions.get(adapter + "@" + version);
        if (v == null || v.closed || v.leases > 0 || !aliasesOf(adapter, version).isEmpty()) {
            return;
        }
        remove(v);
        LOG.infof("closed adapter %s (no request and no alias uses it)", v.key());
    }

    private void remove(LoadedVersion v) {
        versions.remove(v.key(), v);
        residentBytes -= v.bytes();
        v.closed = true;
        v.ort().close();
        lock.notifyAll();
    }

    /** Whether a version has been closed (tests). */
    public static boolean isClosed(LoadedVersion v) {
        return v.closed;
    }
}
