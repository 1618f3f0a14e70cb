package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.train.TrainingData;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores training records straight into the records half's {@code training_records} table (the
 * shape its consumer writes), for tests of the jobs half that do not go through Kafka.
 */
final class StoredRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong OFFSET = new AtomicLong();

    private StoredRecords() {
    }

    /** The invented facts of {@code facts.jsonl} (20 conversations). */
    static List<List<ChatMessage>> facts() throws Exception {
        return TrainingData.read(Path.of(StoredRecords.class.getResource("/facts.jsonl").toURI()));
    }

    static void insert(DataSource ds, String adapter, String id, List<ChatMessage> messages, int splitBucket) throws Exception {
        insertRevision(ds, adapter, id, 1, messages, splitBucket);
    }

    /** Stores a revision as the latest (the caller clears the previous one's {@code is_latest}). */
    static void insertRevision(DataSource ds, String adapter, String id, int revision, List<ChatMessage> messages,
                               int splitBucket) throws Exception {
        ArrayNode m = JSON.createArrayNode();
        messages.forEach(x -> m.addObject().put("role", x.role()).put("content", x.content()));
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO training_records (record_id, revision, is_latest, adapter,"
                     + " content_hash, messages, metadata, schema_version, split_bucket, source_topic, source_partition, source_offset)"
                     + " VALUES (?, ?, true, ?, ?, ?::jsonb, '{}'::jsonb, 1, ?, 'test', 0, ?)")) {
            ps.setString(1, id);
            ps.setInt(2, revision);
            ps.setString(3, adapter);
            ps.setString(4, JobData.sha256(m.toString()));
            ps.setString(5, m.toString());
            ps.setInt(6, splitBucket);
            ps.setLong(7, OFFSET.incrementAndGet());
            ps.executeUpdate();
        }
    }
}
