package dev.ragtune.rag.adapters;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.ragtune.common.events.AdapterEvent;

/**
 * Keeps the {@link AdapterTable} in step with the registry. On {@link #start()} it first takes its
 * position at the end of {@code adapter-events} ({@link AdapterEvent#TOPIC}; so nothing that happens from then on is
 * missed), then resolves the configured adapters' aliases through the registry's REST API and pre-loads them
 * (adapters requests name later are followed from their first request on, see {@link AdapterResolver}),
 * then applies every {@code ALIAS_SET} / {@code ALIAS_REMOVED} {@link AdapterEvent} in topic order (events are
 * keyed by adapter, so one adapter's events are ordered), deduplicated by {@code eventId}.
 * Events that raced with the resolution are applied again, which converges to the registry's state.
 * A version that cannot be downloaded, verified or loaded is rejected: the alias keeps serving its
 * previous version, the failure is logged and reported.
 */
public final class AdapterHotLoader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AdapterHotLoader.class);
    /** Instants as the registry writes them; a type this replica does not know yet reads as null (ignored). */
    private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules()
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL).build();
    private static final int SEEN_EVENTS = 100_000;

    /**
     * @param groupId       this replica's own consumer group (e.g. {@code rag-service-<uuid>})
     * @param retryInterval how often adapters whose start-up resolution failed (registry down) are retried
     */
    public record Settings(String bootstrapServers, String topic, String groupId, Duration retryInterval,
                           Map<String, String> consumerProperties) {
    }

    private final AdapterTable table;
    private final AdapterLoader loader;
    private final AdapterResolver resolver;
    private final Settings settings;
    private final HotLoadListener listener;
    private final Map<UUID, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > SEEN_EVENTS;
        }
    };
    private final Set<String> unresolved = new LinkedHashSet<>();
    private final AtomicLong eventsApplied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private KafkaConsumer<String, String> consumer;
    private List<TopicPartition> partitions = List.of();
    private Thread thread;
    private volatile boolean running;
    private volatile boolean started;
    private long nextRetry;

    public AdapterHotLoader(AdapterTable table, AdapterLoader loader, Settings settings, HotLoadListener listener) {
        this(table, new AdapterResolver(table, loader, Duration.ofSeconds(30), forwardFailures(listener)), settings, listener);
    }

    private static AdapterResolver.LoadListener forwardFailures(HotLoadListener listener) {
        HotLoadListener l = listener == null ? HotLoadListener.NONE : listener;
        return new AdapterResolver.LoadListener() {
            @Override
            public void onLoadFailure(String adapter, int version, Exception error) {
                l.onLoadFailure(adapter, version, error);
            }
        };
    }

    /**
     * Loads through {@code resolver}, so a version a request and an event both need is loaded once; rejected versions
     * are reported by the resolver's {@link AdapterResolver.LoadListener} (once), swaps to {@code listener}.
     */
    public AdapterHotLoader(AdapterTable table, AdapterResolver resolver, Settings settings, HotLoadListener listener) {
        this.table = table;
        this.resolver = resolver;
        this.loader = resolver.loader();
        this.settings = settings;
        this.listener = listener == null ? HotLoadListener.NONE : listener;
    }

    /** Subscribes, resolves the configured adapters, loads them, and starts applying events. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(settings.consumerProperties());
        consumer = new KafkaConsumer<>(p);
        // 1. take the position first: events from now on will be seen
        assignAtEnd();
        // 2. then resolve the aliases as they are now
        synchronized (unresolved) {
            unresolved.addAll(table.configured());
        }
        resolvePending();
        running = true;
        thread = new Thread(this::run, "rag-adapter-events");
        thread.setDaemon(true);
        thread.start();
        started = true;
    }

    /** Whether start-up resolution has been done for every configured adapter. */
    public boolean resolved() {
        synchronized (unresolved) {
            return started && unresolved.isEmpty();
        }
    }

    public long eventsApplied() {
        return eventsApplied.get();
    }

    public long duplicatesSkipped() {
        return duplicates.get();
    }

    private void assignAtEnd() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the partitions of %s yet (%s); will retry", settings.topic(), e.getMessage());
            infos = List.of();
        }
        if (infos == null || infos.isEmpty()) {
            LOG.warnf("topic %s has no partitions yet; will pick it up when it appears", settings.topic());
            partitions = List.of();
            return;
        }
        partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition tp : partitions) {
            consumer.position(tp); // the seek is lazy; fix the position now, before the resolution
        }
    }

    private void run() {
        while (running) {
            try {
                if (partitions.isEmpty()) {
                    waitForTopic();
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    handle(r.value());
                }
                boolean pending;
                synchronized (unresolved) {
                    pending = !unresolved.isEmpty();
                }
                if (pending && System.nanoTime() >= nextRetry) {
                    resolvePending();
                }
            } catch (WakeupException e) {
                // close() woke us up
            } catch (RuntimeException e) {
                LOG.error("adapter event loop failed; continuing", e);
                sleep(1000);
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void waitForTopic() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            infos = List.of();
        }
        if (infos == null || infos.isEmpty()) {
            sleep(1000);
            return;
        }
        partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        // created after our resolution: everything on it is newer than what we resolved
        consumer.seekToBeginning(partitions);
        LOG.infof("topic %s appeared; consuming it from the beginning", settings.topic());
    }

    private void resolvePending() {
        List<String> todo;
        synchronized (unresolved) {
            todo = new ArrayList<>(unresolved);
        }
        for (String adapter : todo) {
            Map<String, Integer> aliases;
            try {
                aliases = loader.source().aliases(adapter);
            } catch (AdapterReferenceException e) {
                if (e.status() != 404) {
                    LOG.warnf("cannot resolve the aliases of %s (%s); retrying in %s", adapter, e.getMessage(), settings.retryInterval());
                    nextRetry = System.nanoTime() + settings.retryInterval().toNanos();
                    continue;
                }
                LOG.warnf("adapter %s is not in the registry (%s); serving it once an alias is set", adapter, e.getMessage());
                aliases = Map.of();
            } catch (RuntimeException e) {
                LOG.warnf("cannot resolve the aliases of %s (%s); retrying in %s", adapter, e.getMessage(), settings.retryInterval());
                nextRetry = System.nanoTime() + settings.retryInterval().toNanos();
                continue;
            }
            aliases.forEach((alias, version) -> applyAliasSet(adapter, alias, version, null));
            synchronized (unresolved) {
                unresolved.remove(adapter);
            }
            LOG.infof("adapter %s resolved: %s", adapter, aliases);
        }
    }

    /** Applies one event (the JSON of an {@code adapter-events} message, an {@link AdapterEvent}). Visible for tests. */
    void handle(String value) {
        AdapterEvent e;
        try {
            e = JSON.readValue(value, AdapterEvent.class);
        } catch (JsonParseException | IllegalArgumentException ex) { // IllegalArgumentException: no value at all
            LOG.errorf("skipping an adapter event that is not JSON: %s", abbreviate(value));
            return;
        } catch (Exception ex) {
            LOG.errorf("skipping an adapter event that is not an AdapterEvent (%s): %s", ex.getMessage(), abbreviate(value));
            return;
        }
        if (e == null || e.eventId() == null || e.adapter() == null) {
            LOG.errorf("skipping an adapter event without eventId or adapter: %s", abbreviate(value));
            return;
        }
        if (seen.put(e.eventId(), Boolean.TRUE) != null) {
            duplicates.incrementAndGet();
            return;
        }
        String adapter = e.adapter();
        if (!table.follows(adapter)) {
            return; // an adapter no request has named here: it is resolved afresh when one does
        }
        String alias = e.alias();
        if (e.type() == AdapterEvent.Type.ALIAS_SET) {
            if (alias == null || e.version() == null) {
                LOG.errorf("skipping ALIAS_SET without alias or version: %s", abbreviate(value));
                return;
            }
            applyAliasSet(adapter, alias, e.version(), e.occurredAt());
        } else if (e.type() == AdapterEvent.Type.ALIAS_REMOVED) {
            if (alias == null) {
                return;
            }
            Integer before = table.aliasVersions(adapter).get(alias);
            if (table.removeAlias(adapter, alias)) {
                LOG.infof("alias %s:%s removed (was version %s)", adapter, alias, before);
                listener.onSwap(adapter, alias, before, null, e.occurredAt());
            }
        } else {
            return; // VERSION_REGISTERED, VERSION_ARCHIVED, types newer than this replica: nothing to serve differently
        }
        eventsApplied.incrementAndGet();
    }

    private void applyAliasSet(String adapter, String alias, int version, Instant occurredAt) {
        Integer before = table.aliasVersions(adapter).get(alias);
        // configured adapters and aliases whose version is resident are loaded before the switch (requests never wait);
        // an alias of an adapter loaded on demand whose version was evicted just moves, and loads on its next request
        boolean eager = table.configured().contains(adapter) || table.aliasResident(adapter, alias);
        AdapterTable.Switch s = table.setAliasIfLoaded(adapter, alias, version);
        if (s == AdapterTable.Switch.UNCHANGED) {
            return;
        }
        if (s == AdapterTable.Switch.NOT_LOADED) {
            if (eager) {
                try {
                    resolver.load(adapter, version).get();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception ex) {
                    Throwable cause = ex instanceof java.util.concurrent.ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
                    LOG.errorf("rejected %s@%d for alias %s: %s; %s", adapter, version, alias, cause.getMessage(),
                            before == null ? "the alias stays unset here" : "still serving version " + before);
                    return;
                }
            }
            if (!table.pointAlias(adapter, alias, version)) {
                return;
            }
        }
        LOG.infof("alias %s:%s now serves version %d (was %s)%s", adapter, alias, version, before,
                s == AdapterTable.Switch.NOT_LOADED && !eager ? "; loaded on its next request" : "");
        listener.onSwap(adapter, alias, before, version, occurredAt);
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (consumer != null && thread != null) {
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
