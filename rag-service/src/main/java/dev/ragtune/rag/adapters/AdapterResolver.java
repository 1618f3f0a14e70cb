package dev.ragtune.rag.adapters;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

/**
 * Turns a request's {@link AdapterRef} into a lease, loading on demand whatever the registry has:
 * <ol>
 * <li>an adapter this replica does not follow yet is resolved through the registry (its aliases; 404 when unknown,
 * 503 when the registry cannot be reached) and followed from then on: the hot-loader applies its events;</li>
 * <li>a version that is not resident is downloaded (sha256 verified), room is made in the memory budget and it is
 * loaded into ONNX Runtime — on the loader's own threads ({@value #THREAD_PREFIX}N), once per version however many
 * requests ask for it at once (one future per version); requests for resident versions never wait for it.</li>
 * </ol>
 */
public final class AdapterResolver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AdapterResolver.class);
    public static final String THREAD_PREFIX = "rag-adapter-load-";
    private static final int ATTEMPTS = 8;
    private static final int HISTORY = 1000;

    /** Told about each load (metrics, tests). */
    public interface LoadListener {
        LoadListener NONE = new LoadListener() {
        };

        /** A version was downloaded, verified and loaded: how long it took, its bytes, the thread that loaded it. */
        default void onLoaded(String adapter, int version, long nanos, long bytes, String thread) {
        }

        /** A version could not be loaded on demand. */
        default void onLoadFailure(String adapter, int version, Exception error) {
        }
    }

    private final AdapterTable table;
    private final AdapterLoader loader;
    private final Duration loadTimeout;
    private final LoadListener listener;
    private final ExecutorService executor;
    private final Map<String, Pending> loading = new ConcurrentHashMap<>();
    private final Deque<Load> history = new ArrayDeque<>();
    private final Map<String, CompletableFuture<Void>> following = new ConcurrentHashMap<>();

    /** Without a loader (no registry configured) only resident versions and {@code base} are served. */
    public AdapterResolver(AdapterTable table, AdapterLoader loader) {
        this(table, loader, Duration.ofSeconds(30), LoadListener.NONE);
    }

    /** @param loadTimeout how long a load waits for room in the memory budget */
    public AdapterResolver(AdapterTable table, AdapterLoader loader, Duration loadTimeout, LoadListener listener) {
        this.table = table;
        this.loader = loader;
        this.loadTimeout = loadTimeout;
        this.listener = listener == null ? LoadListener.NONE : listener;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public AdapterTable table() {
        return table;
    }

    public AdapterLoader loader() {
        return loader;
    }

    /**
     * The lease of what {@code ref} names, loading it first if needed.
     *
     * @throws AdapterReferenceException 404 unknown adapter/alias/version, 409 archived version, 503 registry down or
     *                                   no room / load failure
     */
    public AdapterLease lease(AdapterRef ref) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            AdapterTable.Lookup found = table.tryLease(ref);
            if (found instanceof AdapterTable.Leased l) {
                return l.lease();
            }
            if (found instanceof AdapterTable.NotFollowed nf) {
                follow(nf.adapter());
                continue;
            }
            AdapterTable.NotResident nr = (AdapterTable.NotResident) found;
            if (loader == null) {
                throw AdapterReferenceException.notFound("adapter " + nr.adapter() + "@" + nr.version()
                        + " is not loaded here and no model registry is configured");
            }
            Pending p = start(nr.adapter(), nr.version());
            CompletableFuture<AdapterLease> mine = p.await(ref.alias());
            if (mine != null) {
                AdapterLease lease;
                try {
                    lease = await(mine);
                } catch (RuntimeException e) {
                    mine.thenAccept(l -> { // given up (interrupted): a lease taken for us later is released, not leaked
                        if (l != null) {
                            l.close();
                        }
                    });
                    throw e;
                }
                if (lease != null) {
                    return lease;
                }
                continue;
            }
            var lease = table.leaseLoaded(await(p.done), ref.alias());
            if (lease.isPresent()) {
                return lease.get();
            }
            // evicted between its load and our lease (every other resident version was in use): look up again
        }
        throw new AdapterReferenceException(503, "adapter '" + ref + "' was evicted again before this request could use it "
                + "(the adapter memory budget is too small for the adapters in use); try again", 1, null);
    }

    /** Follows an adapter not followed yet: one registry resolution however many requests ask at once. */
    private void follow(String adapter) {
        if (loader == null) {
            throw AdapterReferenceException.notFound("adapter '" + adapter + "' is not served here: no model registry is "
                    + "configured (ragtune.rag.registry.url), only 'base'");
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> f = following.putIfAbsent(adapter, mine);
        if (f == null) {
            f = mine;
            try {
                if (table.beginFollow(adapter)) {
                    try {
                        Map<String, Integer> aliases = loader.source().aliases(adapter);
                        table.completeFollow(adapter, aliases);
                        LOG.infof("adapter %s followed on demand: aliases %s", adapter, aliases);
                    } catch (RuntimeException e) {
                        table.abandonFollow(adapter);
                        throw e;
                    }
                }
                mine.complete(null);
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                following.remove(adapter, mine);
            }
        }
        await(f);
    }

    /**
     * Loads a version once however many callers ask at the same time (requests, the hot-loader): download and verify,
     * reserve its bytes in the budget (evicting if needed), load, install. The future completes with the installed
     * (resident, not leased) version.
     */
    public CompletableFuture<LoadedVersion> load(String adapter, int version) {
        if (loader == null) {
            return CompletableFuture.failedFuture(AdapterReferenceException.notFound("adapter '" + adapter
                    + "' is not served here: no model registry is configured"));
        }
        var resident = table.loaded(adapter, version);
        if (resident.isPresent()) {
            return CompletableFuture.completedFuture(resident.get());
        }
        return start(adapter, version).done;
    }

    /** A load in progress and the requests waiting for it: they get their leases together with the install. */
    private static final class Pending {
        final CompletableFuture<LoadedVersion> done = new CompletableFuture<>();
        final List<String> aliases = new ArrayList<>();
        final List<CompletableFuture<AdapterLease>> waiters = new ArrayList<>();
        boolean finished;

        /** Null when the load has finished (or is installing): then look up again. */
        synchronized CompletableFuture<AdapterLease> await(String alias) {
            if (finished) {
                return null;
            }
            CompletableFuture<AdapterLease> f = new CompletableFuture<>();
            aliases.add(alias);
            waiters.add(f);
            return f;
        }
    }

    private Pending start(String adapter, int version) {
        String key = adapter + "@" + version;
        Pending mine = new Pending();
        Pending p = loading.putIfAbsent(key, mine);
        if (p != null) {
            return p;
        }
        executor.execute(() -> {
            try {
                LoadedVersion v = loadNow(adapter, version, mine);
                mine.done.complete(v);
            } catch (Throwable e) {
                List<CompletableFuture<AdapterLease>> ws;
                synchronized (mine) {
                    mine.finished = true;
                    ws = List.copyOf(mine.waiters);
                }
                ws.forEach(w -> w.completeExceptionally(e));
                mine.done.completeExceptionally(e);
            } finally {
                loading.remove(key, mine);
            }
        });
        return mine;
    }

    /** The most recent on-demand loads (at most {@value #HISTORY}), oldest first: what ran where, and for how long. */
    public List<Load> recentLoads() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** One completed load: {@code startNanos}/{@code endNanos} are {@link System#nanoTime()} of this JVM. */
    public record Load(String adapter, int version, long bytes, String thread, long startNanos, long endNanos) {
        public double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    private LoadedVersion loadNow(String adapter, int version, Pending pending) throws InterruptedException {
        String key = adapter + "@" + version;
        long t0 = System.nanoTime();
        try {
            LoadedVersion installed = table.loaded(adapter, version).orElse(null);
            long bytes = 0;
            if (installed == null) {
                Path dir = loader.download(adapter, version);
                bytes = AdapterLoader.bytes(dir);
                table.reserve(key, bytes, loadTimeout.toMillis());
                LoadedVersion loaded;
                try {
                    loaded = loader.open(adapter, version, dir, bytes);
                } catch (RuntimeException e) {
                    table.unreserve(bytes);
                    throw e;
                }
                installed = install(pending, loaded);
            } else {
                // resident already (loaded by someone else meanwhile): lease it for the waiters
                install(pending, null);
                return installed;
            }
            long t1 = System.nanoTime();
            synchronized (history) {
                history.addLast(new Load(adapter, version, bytes, Thread.currentThread().getName(), t0, t1));
                if (history.size() > HISTORY) {
                    history.removeFirst();
                }
            }
            LOG.infof("loaded adapter %s (%d bytes) in %.1f ms; adapter memory %d of %d bytes", key, bytes, (t1 - t0) / 1e6,
                    table.bytesInUse(), table.budgetBytes());
            listener.onLoaded(adapter, version, t1 - t0, bytes, Thread.currentThread().getName());
            return installed;
        } catch (AdapterReferenceException e) {
            if (e.status() >= 500) {
                listener.onLoadFailure(adapter, version, e);
            }
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "adapter %s could not be loaded", key);
            listener.onLoadFailure(adapter, version, e);
            throw new AdapterReferenceException(503, "adapter " + key + " could not be loaded: " + e, null, e);
        }
    }

    /** Installs (when {@code loaded} is not null) and leases for the waiting requests, atomically; completes them. */
    private LoadedVersion install(Pending pending, LoadedVersion loaded) {
        List<String> aliases;
        List<CompletableFuture<AdapterLease>> waiters;
        synchronized (pending) {
            pending.finished = true;
            aliases = new ArrayList<>(pending.aliases); // may hold null (version references): not List.copyOf
            waiters = List.copyOf(pending.waiters);
        }
        List<AdapterLease> leases = new ArrayList<>();
        LoadedVersion v;
        if (loaded != null) {
            v = table.installReserved(loaded, aliases, leases);
        } else {
            v = null;
        }
        for (int i = 0; i < waiters.size(); i++) {
            waiters.get(i).complete(i < leases.size() ? leases.get(i) : null); // null: look up again
        }
        return v;
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterReferenceException(503, "interrupted while waiting for an adapter to load");
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new AdapterReferenceException(503, "adapter load failed: " + c, null, c);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
