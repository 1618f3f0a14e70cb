package dev.ragtune.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @Test
    void producesConsumesAndKeepsRecordsAcrossStopKillAndRestart(@TempDir Path dir) throws Exception {
        KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"), 0);
        try {
            int port = broker.port();
            broker.createTopics("embedded-test");
            broker.createTopics("embedded-test"); // existing topic is fine
            send(broker, "k1", "before-restart");
            assertThat(readAll(broker)).containsExactly("before-restart");

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThat(Ports.listening(port)).isFalse();
            broker.startAgain();
            assertThat(broker.port()).isEqualTo(port);
            assertThat(readAll(broker)).containsExactly("before-restart");

            send(broker, "k2", "after-restart");
            broker.kill();
            assertThat(broker.isRunning()).isFalse();
            broker.restart();
            assertThat(broker.isRunning()).isTrue();
            assertThat(readAll(broker)).containsExactly("before-restart", "after-restart");
        } finally {
            broker.close();
        }
        assertThat(broker.isRunning()).isFalse();
    }

    private static void send(KafkaBroker broker, String key, String value) throws Exception {
        Map<String, Object> cfg = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> p = new KafkaProducer<>(cfg)) {
            p.send(new ProducerRecord<>("embedded-test", key, value)).get();
        }
    }

    private static List<String> readAll(KafkaBroker broker) {
        Map<String, Object> cfg = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cfg)) {
            TopicPartition tp = new TopicPartition("embedded-test", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
