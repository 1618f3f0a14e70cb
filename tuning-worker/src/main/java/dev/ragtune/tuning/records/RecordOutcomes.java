package dev.ragtune.tuning.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import dev.ragtune.tuning.config.WorkerConfig;

/**
 * What became of a range of messages of the records topic, for producers that want to read back their outcome
 * ({@code ragtune records push}): whether the records consumer group has committed past the range (then every
 * message in it was stored, skipped as unchanged, or written to the DLQ) and how many of them were stored as
 * new revisions. Rejected messages are on the DLQ with {@code ragtune.source.partition/offset} headers.
 */
@ApplicationScoped
public class RecordOutcomes {

    private static final String STORED = "select count(*) from training_records"
            + " where source_topic = ? and source_partition = ? and source_offset >= ? and source_offset < ?";

    /** The outcome of messages {@code [fromOffset, toOffset)} of one partition. */
    public record Outcome(String topic, int partition, long fromOffset, long toOffset, long committedOffset, boolean processed,
                          long stored) {
    }

    @Inject
    WorkerConfig config;

    @Inject
    DataSource dataSource;

    private Admin admin;

    public Outcome outcome(int partition, long fromOffset, long toOffset) {
        String topic = config.kafka().recordsTopic();
        int partitions = partitions(topic);
        if (partition >= partitions) {
            throw dev.ragtune.common.errors.ApiException.badRequest("partition must be between 0 and " + (partitions - 1)
                    + ": the records topic has " + partitions + " partition(s), got " + partition);
        }
        long committed = committedOffset(new TopicPartition(topic, partition));
        return new Outcome(topic, partition, fromOffset, toOffset, committed, committed >= toOffset,
                stored(topic, partition, fromOffset, toOffset));
    }

    private long stored(String topic, int partition, long from, long to) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(STORED)) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, from);
            ps.setLong(4, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counting stored records failed: " + e.getMessage(), e);
        }
    }

    /** How many partitions the records topic has (0 when it does not exist yet). */
    private int partitions(String topic) {
        try {
            var described = admin().describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
            return described.get(topic).partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while describing the records topic", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return 0;
            }
            throw unavailable("describing the records topic", e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("describing the records topic", e);
        }
    }

    private static KafkaUnavailableException unavailable(String what, Throwable cause) {
        org.jboss.logging.Logger.getLogger(RecordOutcomes.class).warnf(cause, "Kafka unavailable while %s", what);
        return new KafkaUnavailableException("Kafka is unavailable (" + what + " failed); see the worker log", cause);
    }

    /** The records group's committed offset on the partition; 0 when it has committed nothing there. */
    private long committedOffset(TopicPartition tp) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin()
                    .listConsumerGroupOffsets(Map.of(config.kafka().groupId(), new ListConsumerGroupOffsetsSpec().topicPartitions(java.util.List.of(tp))))
                    .partitionsToOffsetAndMetadata(config.kafka().groupId()).get(10, TimeUnit.SECONDS);
            OffsetAndMetadata o = offsets.get(tp);
            return o == null ? 0 : o.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while reading the committed offsets", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw unavailable("reading the committed offsets of the records group", cause);
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            admin = Admin.create(p);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
            admin = null;
        }
    }

    /** Kafka could not answer; the resource answers 503. */
    public static final class KafkaUnavailableException extends RuntimeException {
        KafkaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
