package dev.ragtune.tuning.records;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.ragtune.common.records.RecordRejection;

/**
 * Writes rejected records to the DLQ topic unchanged — same key, value and headers — plus the
 * {@link DlqHeaders}. {@link #publish} returns only when the broker acknowledged every record
 * ({@code acks=all}, idempotent producer), so the source offsets may then be committed. Delivery is
 * at-least-once: a batch retried after a failure may put a record on the DLQ twice (same source
 * partition and offset headers).
 */
public class DeadLetterPublisher implements AutoCloseable {

    /** A rejected Kafka message and why. */
    public record Rejected(ConsumerRecord<byte[], byte[]> source, RecordRejection rejection) {
    }

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final String topic;
    private final Duration timeout;
    private Producer<byte[], byte[]> producer;

    /**
     * @param producers makes the producer; after a failed publish the producer is closed and a new one made, so that
     *                  a producer left in an error state (e.g. an idempotence sequence error) never blocks the DLQ
     */
    public DeadLetterPublisher(Supplier<Producer<byte[], byte[]>> producers, String topic, Duration timeout) {
        this.producers = producers;
        this.topic = topic;
        this.timeout = timeout;
    }

    public static Properties producerProperties(String bootstrapServers, Duration deliveryTimeout) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // one request in flight: a failed first batch can never leave later ones out of sequence
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        // delivery.timeout.ms must be at least linger.ms + request.timeout.ms
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(deliveryTimeout.toMillis() - 5, 30_000)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) deliveryTimeout.toMillis());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ragtune-worker-dlq");
        return p;
    }

    public static DeadLetterPublisher create(Properties producerProperties, String topic, Duration timeout) {
        return new DeadLetterPublisher(() -> new KafkaProducer<>(producerProperties), topic, timeout);
    }

    public String topic() {
        return topic;
    }

    /** Sends every rejected record and waits for all acknowledgements; throws if any is not acknowledged. */
    public synchronized void publish(List<Rejected> rejected) {
        if (rejected.isEmpty()) {
            return;
        }
        try {
            send(rejected);
        } catch (DeadLetterException e) {
            discardProducer();
            throw e;
        }
    }

    private void send(List<Rejected> rejected) {
        if (producer == null) {
            producer = producers.get();
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(rejected.size());
        try {
            for (Rejected r : rejected) {
                sent.add(producer.send(toDlq(r)));
            }
            producer.flush();
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<RecordMetadata> f : sent) {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new DeadLetterException("sending " + rejected.size() + " rejected records to " + topic + " failed: "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new DeadLetterException("sending " + rejected.size() + " rejected records to " + topic + " timed out after "
                    + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterException("interrupted while sending rejected records to " + topic, e);
        } catch (RuntimeException e) {
            throw new DeadLetterException("sending rejected records to " + topic + " failed: " + e, e);
        }
    }

    ProducerRecord<byte[], byte[]> toDlq(Rejected r) {
        ConsumerRecord<byte[], byte[]> s = r.source();
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, s.key(), s.value());
        for (Header h : s.headers()) {
            out.headers().add(h);
        }
        out.headers().add(DlqHeaders.ERROR_CODE, utf8(r.rejection().code().name()));
        out.headers().add(DlqHeaders.ERROR_MESSAGE, utf8(r.rejection().message()));
        out.headers().add(DlqHeaders.SOURCE_TOPIC, utf8(s.topic()));
        out.headers().add(DlqHeaders.SOURCE_PARTITION, utf8(Integer.toString(s.partition())));
        out.headers().add(DlqHeaders.SOURCE_OFFSET, utf8(Long.toString(s.offset())));
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException ignored) {
                // already broken
            }
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }
}
