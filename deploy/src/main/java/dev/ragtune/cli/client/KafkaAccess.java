package dev.ragtune.cli.client;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Plain kafka-clients access to the platform's broker: a reachability check, a producer, reading a topic's tail. */
public final class KafkaAccess {
    public static final String TRAINING_RECORDS = "training-records";
    public static final String DLQ = "training-records.dlq";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String bootstrap;

    KafkaAccess(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** Fails with {@link CliException#unavailable} unless the broker answers and has {@code topic}. */
    public void requireTopic(String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (Admin admin = Admin.create(p)) {
            if (!admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                throw CliException.failed("Kafka at " + bootstrap + " has no topic " + topic + " (the platform creates it on 'ragtune up')");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw CliException.unavailable(Service.KAFKA, bootstrap, e instanceof TimeoutException
                    ? "no answer within " + TIMEOUT.toSeconds() + " s" : JsonHttp.describe(e));
        } catch (org.apache.kafka.common.KafkaException e) {
            throw CliException.unavailable(Service.KAFKA, bootstrap, JsonHttp.describe(e));
        }
    }

    /** An idempotent producer with {@code acks=all}. */
    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** The end offset of every partition of {@code topic}. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            return c.endOffsets(partitions(c, topic), TIMEOUT);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw CliException.unavailable(Service.KAFKA, bootstrap, JsonHttp.describe(e));
        }
    }

    /**
     * The messages of {@code topic} from {@code from} (per partition; absent: the last {@code tail} messages, or all
     * when {@code tail} is negative) to the current end, in partition then offset order.
     */
    public List<ConsumerRecord<byte[], byte[]>> read(String topic, Map<TopicPartition, Long> from, int tail) {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> parts = partitions(c, topic);
            c.assign(parts);
            Map<TopicPartition, Long> begin = c.beginningOffsets(parts, TIMEOUT);
            Map<TopicPartition, Long> end = c.endOffsets(parts, TIMEOUT);
            Map<TopicPartition, Long> start = new HashMap<>();
            for (TopicPartition tp : parts) {
                long s = from.containsKey(tp) ? from.get(tp) : tail < 0 ? begin.get(tp) : end.get(tp) - tail;
                start.put(tp, Math.max(begin.get(tp), s));
                c.seek(tp, start.get(tp));
            }
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.multipliedBy(3).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw CliException.failed("could not read " + topic + " to its end within " + TIMEOUT.multipliedBy(3).toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        out.add(r);
                    }
                }
            }
            out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
            return out;
        } catch (org.apache.kafka.common.KafkaException e) {
            throw CliException.unavailable(Service.KAFKA, bootstrap, JsonHttp.describe(e));
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        var infos = c.partitionsFor(topic, TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw CliException.failed("Kafka at " + bootstrap + " has no topic " + topic);
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }
}
