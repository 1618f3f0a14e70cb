package dev.ragtune.tuning.records;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.ragtune.common.records.DatasetSplit;

/**
 * Stores batches of valid records in {@code training_records}, one database transaction per batch, idempotently:
 * <ul>
 *   <li>a Kafka message (topic, partition, offset) already stored is skipped — a batch replayed after a crash
 *       between the database commit and the offset commit stores nothing twice;</li>
 *   <li>a record whose content hash equals its id's latest revision is skipped — a re-sent record is stored once;</li>
 *   <li>otherwise it becomes the id's next revision and its latest one ({@code is_latest}).</li>
 * </ul>
 * Constraints back this up: unique (source_topic, source_partition, source_offset), unique (record_id, revision)
 * and one latest row per record_id. Should two writers race on one id (records without a key on two partitions),
 * one transaction fails on a constraint and its batch is retried, seeing the other's revision.
 */
@ApplicationScoped
public class RecordStore {

    private static final String INSERT = "insert into training_records (record_id, revision, is_latest, adapter, content_hash,"
            + " messages, metadata, schema_version, split_bucket, source_topic, source_partition, source_offset)"
            + " values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?)";

    private record Latest(String hash, int revision) {
    }

    @Inject
    DataSource dataSource;

    @Transactional
    public StoreOutcome store(List<IncomingRecord> batch) {
        if (batch.isEmpty()) {
            return StoreOutcome.NOTHING;
        }
        try (Connection c = dataSource.getConnection()) {
            Set<String> seen = alreadyStoredMessages(c, batch);
            Map<String, Latest> latest = latestRevisions(c, batch);
            Set<String> supersededInDb = new HashSet<>();
            Map<String, Integer> lastInsertOfId = new HashMap<>();
            List<IncomingRecord> inserts = new ArrayList<>();
            List<Integer> revisionOf = new ArrayList<>();
            int duplicates = 0;
            int replayed = 0;
            int revisions = 0;
            for (IncomingRecord in : batch) {
                if (seen.contains(messageKey(in.topic(), in.partition(), in.offset()))) {
                    replayed++;
                    continue;
                }
                String id = in.record().id();
                Latest l = latest.get(id);
                if (l != null && l.hash().equals(in.contentHash())) {
                    duplicates++;
                    continue;
                }
                int revision = l == null ? 1 : l.revision() + 1;
                if (l != null) {
                    revisions++;
                    if (!lastInsertOfId.containsKey(id)) {
                        supersededInDb.add(id);
                    }
                }
                latest.put(id, new Latest(in.contentHash(), revision));
                lastInsertOfId.put(id, inserts.size());
                inserts.add(in);
                revisionOf.add(revision);
            }
            if (!supersededInDb.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "update training_records set is_latest = false where is_latest and record_id = any(?)")) {
                    Array ids = c.createArrayOf("text", supersededInDb.toArray());
                    ps.setArray(1, ids);
                    ps.executeUpdate();
                    ids.free();
                }
            }
            if (!inserts.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    for (int i = 0; i < inserts.size(); i++) {
                        IncomingRecord in = inserts.get(i);
                        var r = in.record();
                        ps.setString(1, r.id());
                        ps.setInt(2, revisionOf.get(i));
                        ps.setBoolean(3, lastInsertOfId.get(r.id()) == i);
                        ps.setString(4, r.adapter());
                        ps.setString(5, in.contentHash());
                        ps.setString(6, r.messagesJson().toString());
                        ps.setString(7, r.metadataJson());
                        ps.setInt(8, r.schemaVersion());
                        ps.setShort(9, (short) DatasetSplit.bucket(r.adapter(), r.id()));
                        ps.setString(10, in.topic());
                        ps.setInt(11, in.partition());
                        ps.setLong(12, in.offset());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return new StoreOutcome(inserts.size(), revisions, duplicates, replayed);
        } catch (SQLException e) {
            throw new RecordStoreException("storing " + batch.size() + " records failed: " + e.getMessage(), e);
        }
    }

    /** The (topic, partition, offset) of the batch's messages that are stored already. */
    private static Set<String> alreadyStoredMessages(Connection c, List<IncomingRecord> batch) throws SQLException {
        Map<String, long[]> ranges = new LinkedHashMap<>();
        for (IncomingRecord in : batch) {
            ranges.merge(in.topic() + "\u0000" + in.partition(), new long[] {in.offset(), in.offset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        Set<String> seen = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("select source_offset from training_records"
                + " where source_topic = ? and source_partition = ? and source_offset between ? and ?")) {
            for (var e : ranges.entrySet()) {
                String[] tp = e.getKey().split("\u0000", 2);
                int partition = Integer.parseInt(tp[1]);
                ps.setString(1, tp[0]);
                ps.setInt(2, partition);
                ps.setLong(3, e.getValue()[0]);
                ps.setLong(4, e.getValue()[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seen.add(messageKey(tp[0], partition, rs.getLong(1)));
                    }
                }
            }
        }
        return seen;
    }

    private static Map<String, Latest> latestRevisions(Connection c, List<IncomingRecord> batch) throws SQLException {
        Set<String> ids = new HashSet<>();
        for (IncomingRecord in : batch) {
            ids.add(in.record().id());
        }
        Map<String, Latest> latest = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select record_id, content_hash, revision from training_records where is_latest and record_id = any(?)")) {
            Array arr = c.createArrayOf("text", ids.toArray());
            ps.setArray(1, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    latest.put(rs.getString(1), new Latest(rs.getString(2), rs.getInt(3)));
                }
            }
            arr.free();
        }
        return latest;
    }

    private static String messageKey(String topic, int partition, long offset) {
        return topic + "\u0000" + partition + "\u0000" + offset;
    }
}
