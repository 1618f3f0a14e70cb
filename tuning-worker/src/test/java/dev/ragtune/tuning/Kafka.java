package dev.ragtune.tuning;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for the tests: produce, read a whole topic, wait for a group to commit everything. */
public final class Kafka {

    private Kafka() {
    }

    /** A message to send: key (may be null) and value bytes. */
    public record Message(byte[] key, byte[] value) {
        public static Message of(String key, String value) {
            return new Message(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Sends every message (acks=all) and returns where each landed, in order. */
    public static List<RecordMetadata> send(String bootstrap, String topic, List<Message> messages) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // a fresh topic's first batch may fail with NOT_LEADER; with more in flight the idempotent producer can then
        // retry OUT_OF_ORDER_SEQUENCE_NUMBER forever
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (Message m : messages) {
                futures.add(producer.send(new ProducerRecord<>(topic, m.key(), m.value())));
            }
            producer.flush();
            List<RecordMetadata> out = new ArrayList<>();
            for (Future<RecordMetadata> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    /** Every message now in the topic, all partitions, read without a group. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        return dev.ragtune.embedded.Topics.readAll(bootstrap, topic);
    }

    /** Creates the topic and waits until every partition has a leader. */
    public static void createTopic(dev.ragtune.embedded.KafkaBroker kafka, String topic, int partitions) throws Exception {
        kafka.createTopics(partitions, topic);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = admin(kafka.bootstrapServers())) {
            while (true) {
                try {
                    var d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                    if (d.partitions().size() == partitions
                            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    // just created: the metadata has not reached the broker's cache yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has no leader for every partition after 60 s");
                }
                Thread.sleep(100);
            }
        }
    }

    public static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** The group's committed offsets on the topic (partitions without a commit are absent). */
    public static Map<TopicPartition, Long> committed(String bootstrap, String group, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            all.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    out.put(tp, o.offset());
                }
            });
            return out;
        }
    }

    public static Map<TopicPartition, Long> endOffsets(String bootstrap, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                ask.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            return admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    /** Waits until the group has committed every partition of the topic up to its end (everything handled). */
    public static void awaitAllCommitted(String bootstrap, String group, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end = endOffsets(bootstrap, topic);
        Map<TopicPartition, Long> committed = Map.of();
        while (System.nanoTime() < deadline) {
            committed = committed(bootstrap, group, topic);
            Map<TopicPartition, Long> c = committed;
            if (end.entrySet().stream().allMatch(e -> e.getValue() == 0 || e.getValue().equals(c.get(e.getKey())))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("group " + group + " did not commit " + topic + " to its end within " + timeout
                + ": end " + end + ", committed " + committed);
    }
}
