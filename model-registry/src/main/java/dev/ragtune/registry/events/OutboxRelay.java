package dev.ragtune.registry.events;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import dev.ragtune.registry.config.RegistryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Relays the transactional outbox to Kafka.
 *
 * <p>One background thread; each round, in one transaction, it takes the single row of
 * {@code outbox_relay_lock} ({@code FOR UPDATE SKIP LOCKED}, so only one registry instance relays at a
 * time), reads the unsent events in id order, sends them with an idempotent producer (acks=all,
 * key = adapter name, so one adapter's events share a partition), one event per adapter at a time, waits for
 * every acknowledgement and marks the acknowledged rows sent. A row whose send failed stays unsent and
 * is retried with exponential back-off; no later event of the same adapter is sent before it is acknowledged.
 * Changes wake the relay up right after they commit; otherwise it polls.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;

    @Inject
    RegistryConfig config;

    @Inject
    EntityManager em;

    @Inject
    MeterRegistry meters;

    private final Semaphore wake = new Semaphore(0);
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean running;
    private volatile Instant lastSuccess;
    private Thread thread;
    private Producer<String, String> producer;
    private Counter relayed;
    private Counter failures;
    private Timer lag;

    void onStart(@Observes StartupEvent ignored) {
        relayed = Counter.builder("ragtune.registry.outbox.relayed").description("events published to Kafka").register(meters);
        failures = Counter.builder("ragtune.registry.outbox.failures").description("failed event sends (retried)").register(meters);
        lag = Timer.builder("ragtune.registry.outbox.lag").description("time from change commit to Kafka acknowledgement")
                .publishPercentiles(0.5, 0.99).register(meters);
        meters.gauge("ragtune.registry.outbox.pending", pending);
        if (!config.kafka().relayEnabled()) {
            LOG.info("outbox relay disabled (ragtune.registry.kafka.relay-enabled=false)");
            return;
        }
        producer = createProducer();
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent ignored) {
        running = false;
        wake.release();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the relay to look at the outbox now (called after a change commits). */
    public void wakeUp() {
        wake.release();
    }

    public long pendingCount() {
        return pending.get();
    }

    public String lastError() {
        return lastError.get();
    }

    public Instant lastSuccess() {
        return lastSuccess;
    }

    public boolean isRunning() {
        return running && thread != null && thread.isAlive();
    }

    private Producer<String, String> createProducer() {
        Properties p = new Properties();
        long delivery = Math.max(config.kafka().deliveryTimeout().toMillis(), 2_000);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.kafka().clientId().orElse("model-registry-outbox"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(10_000, delivery / 2)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(delivery));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(delivery));
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.putAll(config.kafka().producer());
        return new KafkaProducer<>(p);
    }

    private void loop() {
        int failuresInARow = 0;
        while (running) {
            RoundResult r;
            try {
                r = relayOnce();
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay round failed: %s", e.toString());
                lastError.set(e.toString());
                r = new RoundResult(0, true);
            }
            if (!running) {
                break;
            }
            try {
                if (r.failed()) {
                    failuresInARow++;
                    long backoff = Math.min(config.kafka().maxBackoff().toMillis(), 200L << Math.min(failuresInARow, 10));
                    wake.tryAcquire(backoff, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                } else if (r.sent() == BATCH) {
                    failuresInARow = 0; // more may be waiting: go on at once
                } else {
                    failuresInARow = 0;
                    wake.tryAcquire(config.kafka().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    public record RoundResult(int sent, boolean failed) {
    }

    /** One relay round; public for tests and tools. */
    public RoundResult relayOnce() {
        long timeoutSeconds = config.kafka().deliveryTimeout().toSeconds() * 2 + 60;
        return QuarkusTransaction.requiringNew().timeout((int) timeoutSeconds).call(this::relayInTransaction);
    }

    private RoundResult relayInTransaction() {
        List<?> lock = em.createNativeQuery("select id from outbox_relay_lock where id = 1 for update skip locked").getResultList();
        if (lock.isEmpty()) {
            return new RoundResult(0, false); // another instance is relaying
        }
        List<OutboxRecord> rows = em.createQuery("from OutboxRecord where sentAt is null order by id", OutboxRecord.class)
                .setMaxResults(BATCH).getResultList();
        pending.set(rows.size() < BATCH ? rows.size()
                : ((Number) em.createNativeQuery("select count(*) from outbox where sent_at is null").getSingleResult()).longValue());
        if (rows.isEmpty()) {
            return new RoundResult(0, false);
        }
        // Per adapter (= Kafka key) strictly one event at a time: the next event of an adapter is sent only after
        // the previous one was acknowledged, so a failed send can never be overtaken by a later event of the same
        // adapter. Different adapters are sent side by side ("waves").
        Map<String, Deque<OutboxRecord>> byKey = new LinkedHashMap<>();
        for (OutboxRecord row : rows) {
            byKey.computeIfAbsent(row.eventKey, k -> new ArrayDeque<>()).add(row);
        }
        int sent = 0;
        boolean failed = false;
        long waitMs = config.kafka().deliveryTimeout().toMillis() + 5_000;
        while (!byKey.isEmpty()) {
            List<OutboxRecord> wave = new ArrayList<>(byKey.size());
            List<Future<RecordMetadata>> futures = new ArrayList<>(byKey.size());
            for (Deque<OutboxRecord> queue : byKey.values()) {
                OutboxRecord row = queue.poll();
                wave.add(row);
                try {
                    futures.add(producer.send(new ProducerRecord<>(row.topic, row.eventKey, row.payload)));
                } catch (RuntimeException e) {
                    futures.add(CompletableFuture.failedFuture(e));
                }
            }
            for (int i = 0; i < wave.size(); i++) {
                OutboxRecord row = wave.get(i);
                row.attempts++;
                try {
                    futures.get(i).get(waitMs, TimeUnit.MILLISECONDS);
                    row.sentAt = Instant.now();
                    row.lastError = null;
                    sent++;
                    relayed.increment();
                    lag.record(Duration.between(row.createdAt, row.sentAt));
                } catch (Exception e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    String text = cause.toString();
                    row.lastError = text.length() <= 1000 ? text : text.substring(0, 1000);
                    byKey.remove(row.eventKey); // keep the order: this adapter's later events wait for the next round
                    failed = true;
                    failures.increment();
                    lastError.set(text);
                }
            }
            byKey.values().removeIf(Deque::isEmpty);
        }
        if (sent > 0) {
            lastSuccess = Instant.now();
        }
        if (failed) {
            LOG.warnf("outbox relay: %d of %d events sent; will retry the rest (%s)", sent, rows.size(), lastError.get());
        } else {
            lastError.set(null);
        }
        pending.addAndGet(-sent);
        return new RoundResult(sent, failed);
    }
}
