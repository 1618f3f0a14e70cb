package dev.ragtune.tuning.datasets;

import dev.ragtune.common.records.DatasetSplit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ragtune.tuning.config.WorkerConfig;

/** Per-adapter counts of the stored records, for {@code GET /v1/datasets}. */
@ApplicationScoped
public class DatasetService {

    private static final String SUMMARY = """
            select r.adapter,
                   count(*)                                             as total,
                   count(*) filter (where r.split_bucket >= ?)           as train,
                   count(*) filter (where r.split_bucket < ?)            as eval,
                   count(*) filter (where r.seq > coalesce(s.max_seq, 0)) as new_since,
                   max(r.received_at)                                   as last_at
              from training_records r
              left join (select distinct on (adapter) adapter, snapshot_max_seq as max_seq
                           from dataset_snapshots order by adapter, id desc) s on s.adapter = r.adapter
             where r.is_latest
             group by r.adapter
             order by r.adapter""";

    @Inject
    DataSource dataSource;

    @Inject
    WorkerConfig config;

    public DatasetSplit split() {
        return new DatasetSplit(config.evalFraction());
    }

    public List<DatasetSummary> summaries() {
        int evalBuckets = split().evalBuckets();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SUMMARY)) {
            ps.setInt(1, evalBuckets);
            ps.setInt(2, evalBuckets);
            List<DatasetSummary> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DatasetSummary(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getObject(6, OffsetDateTime.class)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading dataset summaries failed: " + e.getMessage(), e);
        }
    }
}
