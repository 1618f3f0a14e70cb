package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code jobs} table (see {@code V2__jobs.sql}) in plain JDBC. Every clock comparison uses the
 * database's {@code now()}, so replicas with skewed clocks agree on who holds a lease.
 *
 * <p>Leases: {@link #claim} takes the oldest QUEUED job, or a RUNNING one whose lease expired (its
 * worker died), with {@code FOR UPDATE SKIP LOCKED}, so concurrent claimers never get the same row.
 * Every later write by the runner is conditional on {@code lease_owner = me AND status = 'RUNNING'};
 * when that matches no row the lease was lost and {@link LeaseLostException} is thrown.
 */
public final class JobStore {
    static final String COLUMNS = "id, adapter, status, phase, trigger, overrides, lease_owner, lease_expires_at, attempt,"
            + " cancel_requested, snapshot_min_seq, snapshot_max_seq, train_records, eval_records, eval_set, parent_version,"
            + " progress, loss_curve, metrics, phase_seconds, registry_version, error, created_at, started_at, finished_at,"
            + " updated_at";
    private static final String OWNED = " WHERE id = ? AND lease_owner = ? AND status = 'RUNNING'";
    private final DataSource dataSource;
    private final ObjectMapper json;

    public JobStore(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** Per adapter: where the last jobs' snapshots ended and when the last job was created. */
    public record Watermark(String adapter, Long lastSnapshotMaxSeq, Long lastSucceededMaxSeq, Instant lastJobCreatedAt) {
        public static Watermark none(String adapter) {
            return new Watermark(adapter, null, null, null);
        }
    }

    // ------------------------------------------------------------------ creating and reading

    /**
     * Queues a job unless one is already queued or running for the adapter (the partial unique
     * index decides, so two replicas cannot both queue one).
     *
     * @throws ActiveJobExistsException naming the active job
     */
    public Job create(String adapter, JobTrigger trigger, ObjectNode overrides) {
        Optional<Job> created = createIfNoneActive(adapter, trigger, overrides);
        if (created.isPresent()) {
            return created.get();
        }
        Job active = activeJob(adapter).orElseThrow(() -> new IllegalStateException(
                "could not queue a job for " + adapter + " and no active job was found; retry"));
        throw new ActiveJobExistsException(adapter, active.id(), active.status());
    }

    /** As {@link #create}, empty when a job is already queued or running for the adapter. */
    public Optional<Job> createIfNoneActive(String adapter, JobTrigger trigger, ObjectNode overrides) {
        String sql = "INSERT INTO jobs (id, adapter, status, trigger, overrides) VALUES (?, ?, 'QUEUED', ?, ?::jsonb)"
                + " ON CONFLICT (adapter) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING RETURNING " + COLUMNS;
        return queryOne(sql, UUID.randomUUID(), adapter, trigger.name(),
                write(overrides == null ? json.createObjectNode() : overrides));
    }

    public Optional<Job> find(UUID id) {
        return queryOne("SELECT " + COLUMNS + " FROM jobs WHERE id = ?", id);
    }

    public Optional<Job> activeJob(String adapter) {
        return queryOne("SELECT " + COLUMNS + " FROM jobs WHERE adapter = ? AND status IN ('QUEUED', 'RUNNING')", adapter);
    }

    /** Newest first; {@code adapter} and {@code status} are optional filters. */
    public List<Job> list(String adapter, JobStatus status, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE true");
        List<Object> args = new ArrayList<>();
        if (adapter != null) {
            sql.append(" AND adapter = ?");
            args.add(adapter);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        sql.append(" ORDER BY created_at DESC, id LIMIT ?");
        args.add(limit);
        return query(sql.toString(), args.toArray());
    }

    /**
     * Where the adapter's newest snapshot ended (the records half's {@code dataset_snapshots}, which
     * every job's snapshot adds to, whatever the job's outcome) and when its last job was created.
     */
    public Watermark watermark(String adapter) {
        String sql = "SELECT (SELECT snapshot_max_seq FROM dataset_snapshots WHERE adapter = ? ORDER BY id DESC LIMIT 1),"
                + " (SELECT max(snapshot_max_seq) FROM jobs WHERE adapter = ? AND status = 'SUCCEEDED'),"
                + " (SELECT max(created_at) FROM jobs WHERE adapter = ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, adapter);
            ps.setString(2, adapter);
            ps.setString(3, adapter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Watermark(adapter, (Long) rs.getObject(1), (Long) rs.getObject(2), instant(rs.getTimestamp(3)));
            }
        } catch (SQLException e) {
            throw new JobStoreException("cannot read the job watermark of " + adapter, e);
        }
    }

    // ------------------------------------------------------------------ leases

    /**
     * Takes the oldest claimable job: QUEUED, or RUNNING with an expired lease (a dead worker's),
     * and not cancel-requested. Sets status RUNNING, the owner, a fresh lease and attempt + 1.
     */
    public Optional<Job> claim(String owner, Duration lease) {
        String sql = "UPDATE jobs SET status = 'RUNNING', lease_owner = ?, lease_expires_at = now() + (? * interval '1 millisecond'),"
                + " attempt = attempt + 1, started_at = coalesce(started_at, now()), updated_at = now(),"
                + " error = CASE WHEN status = 'RUNNING' THEN 'lease of ' || coalesce(lease_owner, '?') || ' expired at '"
                + "   || lease_expires_at || '; taken over' ELSE error END"
                + " WHERE id = (SELECT id FROM jobs WHERE NOT cancel_requested AND (status = 'QUEUED'"
                + "   OR (status = 'RUNNING' AND lease_expires_at < now())) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
                + " RETURNING " + COLUMNS;
        return queryOne(sql, owner, lease.toMillis());
    }

    /**
     * Cancels what can no longer run: RUNNING jobs with a cancel request whose lease expired (their
     * worker died before it saw the request).
     */
    public int cancelAbandoned() {
        return update("UPDATE jobs SET status = 'CANCELLED', phase = NULL, finished_at = now(), updated_at = now(),"
                + " error = coalesce(error, 'cancelled; its worker stopped before it could stop the job')"
                + " WHERE status = 'RUNNING' AND cancel_requested AND lease_expires_at < now()");
    }

    /**
     * Renews the lease and stores the latest progress.
     *
     * @return whether a cancel was requested
     * @throws LeaseLostException when another worker owns the job now
     */
    public boolean heartbeat(UUID id, String owner, Duration lease, JsonNode progress, JsonNode lossCurve) {
        String sql = "UPDATE jobs SET lease_expires_at = now() + (? * interval '1 millisecond'), updated_at = now(),"
                + " progress = coalesce(?::jsonb, progress), loss_curve = coalesce(?::jsonb, loss_curve)" + OWNED
                + " RETURNING cancel_requested";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, lease.toMillis(), writeOrNull(progress), writeOrNull(lossCurve), id, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw lost(id, owner);
                }
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new JobStoreException("cannot renew the lease of job " + id, e);
        }
    }

    public void setPhase(UUID id, String owner, JobPhase phase) {
        owned(id, owner, "UPDATE jobs SET phase = ?, updated_at = now()" + OWNED, phase.name());
    }

    /**
     * Stores the job's snapshot range and adds the {@code dataset_snapshots} row the datasets API
     * counts new records from, in one transaction.
     */
    public void recordSnapshot(UUID id, String owner, long minSeq, long maxSeq, int train, int eval, String evalSet,
                               Integer parentVersion, String adapter) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET snapshot_min_seq = ?, snapshot_max_seq = ?,"
                        + " train_records = ?, eval_records = ?, eval_set = ?, parent_version = ?, updated_at = now()" + OWNED)) {
                    bind(ps, minSeq, maxSeq, train, eval, evalSet, parentVersion, id, owner);
                    if (ps.executeUpdate() == 0) {
                        c.rollback();
                        throw lost(id, owner);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO dataset_snapshots (adapter, snapshot_max_seq, job_id) VALUES (?, ?, ?)")) {
                    bind(ps, adapter, maxSeq, id.toString());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new JobStoreException("cannot record the snapshot of job " + id + ": " + e.getMessage(), e);
        }
    }

    /** An error that does not end the job (e.g. the registry is unreachable and publishing retries). */
    public void recordError(UUID id, String owner, String error) {
        owned(id, owner, "UPDATE jobs SET error = ?, updated_at = now()" + OWNED, error);
    }

    public void recordResults(UUID id, String owner, JsonNode metrics, JsonNode phaseSeconds, JsonNode lossCurve) {
        owned(id, owner, "UPDATE jobs SET metrics = coalesce(?::jsonb, metrics), phase_seconds = coalesce(?::jsonb, phase_seconds),"
                + " loss_curve = coalesce(?::jsonb, loss_curve), updated_at = now()" + OWNED,
                writeOrNull(metrics), writeOrNull(phaseSeconds), writeOrNull(lossCurve));
    }

    /** @param note null, or what went wrong without failing the job (e.g. staging could not be set) */
    public void succeed(UUID id, String owner, int registryVersion, String note, JsonNode phaseSeconds) {
        owned(id, owner, "UPDATE jobs SET status = 'SUCCEEDED', phase = NULL, registry_version = ?, error = ?,"
                + " phase_seconds = coalesce(?::jsonb, phase_seconds), finished_at = now(), lease_expires_at = NULL,"
                + " updated_at = now()" + OWNED, registryVersion, note, writeOrNull(phaseSeconds));
    }

    /** Ends the job as FAILED or CANCELLED with the reason. */
    public void finish(UUID id, String owner, JobStatus status, String error, JsonNode phaseSeconds) {
        if (status != JobStatus.FAILED && status != JobStatus.CANCELLED) {
            throw new IllegalArgumentException("finish is for FAILED or CANCELLED, not " + status);
        }
        owned(id, owner, "UPDATE jobs SET status = ?, phase = NULL, error = ?, phase_seconds = coalesce(?::jsonb, phase_seconds),"
                + " finished_at = now(), lease_expires_at = NULL, updated_at = now()" + OWNED,
                status.name(), error, writeOrNull(phaseSeconds));
    }

    /**
     * A QUEUED job is cancelled at once; a RUNNING one gets a cancel request that its worker sees
     * at the next training step or phase boundary.
     *
     * @return the job after the change, empty when there is no such job
     * @throws IllegalStateException when the job already ended
     */
    public Optional<Job> requestCancel(UUID id) {
        Optional<Job> queued = queryOne("UPDATE jobs SET status = 'CANCELLED', error = 'cancelled before it started',"
                + " finished_at = now(), updated_at = now() WHERE id = ? AND status = 'QUEUED' RETURNING " + COLUMNS, id);
        if (queued.isPresent()) {
            return queued;
        }
        Optional<Job> running = queryOne("UPDATE jobs SET cancel_requested = true, updated_at = now()"
                + " WHERE id = ? AND status = 'RUNNING' RETURNING " + COLUMNS, id);
        if (running.isPresent()) {
            return running;
        }
        Optional<Job> job = find(id);
        if (job.isPresent()) {
            throw new IllegalStateException("job " + id + " already ended " + job.get().status() + "; nothing to cancel");
        }
        return Optional.empty();
    }

    public boolean cancelRequested(UUID id) {
        return find(id).map(Job::cancelRequested).orElse(false);
    }

    // ------------------------------------------------------------------ JDBC plumbing

    private static LeaseLostException lost(UUID id, String owner) {
        return new LeaseLostException("worker " + owner + " no longer holds the lease of job " + id);
    }

    private void owned(UUID id, String owner, String sql, Object... args) {
        Object[] all = new Object[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = id;
        all[args.length + 1] = owner;
        if (update(sql, all) == 0) {
            throw lost(id, owner);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new JobStoreException("jobs update failed: " + e.getMessage(), e);
        }
    }

    private Optional<Job> queryOne(String sql, Object... args) {
        List<Job> jobs = query(sql, args);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    private List<Job> query(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<Job> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new JobStoreException("jobs query failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    private Job map(ResultSet rs) throws SQLException {
        String phase = rs.getString("phase");
        return new Job((UUID) rs.getObject("id"), rs.getString("adapter"), JobStatus.valueOf(rs.getString("status")),
                phase == null ? null : JobPhase.valueOf(phase), JobTrigger.valueOf(rs.getString("trigger")),
                (ObjectNode) read(rs.getString("overrides")), rs.getString("lease_owner"),
                instant(rs.getTimestamp("lease_expires_at")), rs.getInt("attempt"), rs.getBoolean("cancel_requested"),
                (Long) rs.getObject("snapshot_min_seq"), (Long) rs.getObject("snapshot_max_seq"),
                (Integer) rs.getObject("train_records"), (Integer) rs.getObject("eval_records"), rs.getString("eval_set"),
                (Integer) rs.getObject("parent_version"), read(rs.getString("progress")), read(rs.getString("loss_curve")),
                read(rs.getString("metrics")), read(rs.getString("phase_seconds")), (Integer) rs.getObject("registry_version"),
                rs.getString("error"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("finished_at")), instant(rs.getTimestamp("updated_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private JsonNode read(String s) {
        if (s == null) {
            return null;
        }
        try {
            return json.readTree(s);
        } catch (JsonProcessingException e) {
            throw new JobStoreException("unreadable JSON in the jobs table: " + e.getOriginalMessage(), e);
        }
    }

    private String write(JsonNode n) {
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + n, e);
        }
    }

    private String writeOrNull(JsonNode n) {
        return n == null ? null : write(n);
    }

    /** The database failed (not a lost lease, not a user error). */
    public static final class JobStoreException extends RuntimeException {
        public JobStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
