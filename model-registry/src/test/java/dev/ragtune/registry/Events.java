package dev.ragtune.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads {@code adapter-events} with a plain consumer, as a real subscriber would. */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    /** One received event with its Kafka key. */
    public record Received(String key, JsonNode event, long offset) {
        public String eventId() {
            return event.get("eventId").asText();
        }

        public String type() {
            return event.get("type").asText();
        }
    }

    /** All events of {@code adapter} on the topic, in topic order. */
    public static List<Received> of(String bootstrap, String adapter) {
        List<Received> out = new ArrayList<>();
        Map<String, Object> cfg = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cfg)) {
            List<TopicPartition> parts = c.partitionsFor(EmbeddedServices.TOPIC, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    if (adapter.equals(r.key())) {
                        try {
                            out.add(new Received(r.key(), JSON.readTree(r.value()), r.offset()));
                        } catch (Exception e) {
                            throw new IllegalStateException("event is not JSON: " + r.value(), e);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Polls until the adapter's events satisfy {@code done} or the timeout passes; returns the last read. */
    public static List<Received> await(String bootstrap, String adapter, Predicate<List<Received>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> got = of(bootstrap, adapter);
        while (!done.test(got) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            got = of(bootstrap, adapter);
        }
        return got;
    }
}
