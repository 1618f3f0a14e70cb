package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.common.records.ChatMessage;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Reads the records half's {@code training_records} table ({@code V1__worker.sql}).
 *
 * <p>A snapshot up to {@code maxSeq} takes, per record id, its newest revision with
 * {@code seq <= maxSeq} ({@code DISTINCT ON (record_id) … ORDER BY seq DESC}): exactly what was
 * the latest revision when the snapshot was taken, even if a record is revised while the job runs
 * or before a retried attempt reads it again. New-record counts use the latest revisions only,
 * as {@code GET /v1/datasets} does. The eval split is {@code split_bucket < evalBuckets}.
 */
public final class JdbcRecordSource implements RecordSource {
    private final DataSource dataSource;
    private final ObjectMapper json;
    private final IntPredicate isEvalBucket;

    public JdbcRecordSource(DataSource dataSource, ObjectMapper json, IntPredicate isEvalBucket) {
        this.dataSource = dataSource;
        this.json = json;
        this.isEvalBucket = isEvalBucket;
    }

    @Override
    public long maxSeq(String adapter) {
        return queryLong("SELECT coalesce(max(seq), 0) FROM training_records WHERE adapter = ?", adapter);
    }

    @Override
    public List<SnapshotRecord> snapshot(String adapter, long maxSeq) {
        String sql = "SELECT DISTINCT ON (record_id) record_id, seq, messages, split_bucket FROM training_records"
                + " WHERE adapter = ? AND seq <= ? ORDER BY record_id, seq DESC";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, adapter);
            ps.setLong(2, maxSeq);
            try (ResultSet rs = ps.executeQuery()) {
                List<SnapshotRecord> out = new ArrayList<>();
                while (rs.next()) {
                    String id = rs.getString(1);
                    out.add(new SnapshotRecord(id, rs.getLong(2), isEvalBucket.test(rs.getInt(4)), messages(id, rs.getString(3))));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the records of " + adapter + ": " + e.getMessage(), e);
        }
    }

    private List<ChatMessage> messages(String id, String text) {
        try {
            JsonNode a = json.readTree(text);
            List<ChatMessage> out = new ArrayList<>(a.size());
            for (JsonNode m : a) {
                out.add(new ChatMessage(m.path("role").asText(), m.path("content").asText()));
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("record " + id + " has unreadable messages: " + e.getMessage(), e);
        }
    }

    @Override
    public long countAfter(String adapter, long afterSeq) {
        return queryLong("SELECT count(*) FROM training_records WHERE adapter = ? AND is_latest AND seq > ?", adapter, afterSeq);
    }

    @Override
    public Instant oldestAfter(String adapter, long afterSeq) {
        String sql = "SELECT min(received_at) FROM training_records WHERE adapter = ? AND is_latest AND seq > ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, adapter);
            ps.setLong(2, afterSeq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return t == null ? null : t.toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the records of " + adapter + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<String> adapters() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT adapter FROM training_records WHERE is_latest ORDER BY adapter");
             ResultSet rs = ps.executeQuery()) {
            Set<String> out = new LinkedHashSet<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the adapters with records: " + e.getMessage(), e);
        }
    }

    private long queryLong(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("records query failed: " + e.getMessage(), e);
        }
    }
}
