package dev.ragtune.rag.generation;

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

/** Reads {@code training-records} from the beginning with a plain consumer, as the tuning worker would. */
final class TrainingRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Received(String key, JsonNode value) {
    }

    private TrainingRecords() {
    }

    /** Every record on the topic now. */
    static List<Received> all(String bootstrap) {
        List<Received> out = new ArrayList<>();
        Map<String, Object> cfg = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cfg)) {
            List<TopicPartition> parts = c.partitionsFor(GenerationServices.RECORDS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    try {
                        out.add(new Received(r.key(), JSON.readTree(r.value())));
                    } catch (Exception e) {
                        throw new IllegalStateException("record is not JSON: " + r.value(), e);
                    }
                }
            }
        }
        return out;
    }

    /** The records about one query. */
    static List<Received> ofQuery(String bootstrap, String queryId) {
        Predicate<Received> about = r -> queryId.equals(r.value().path("metadata").path("queryId").asText());
        return all(bootstrap).stream().filter(about).toList();
    }
}
