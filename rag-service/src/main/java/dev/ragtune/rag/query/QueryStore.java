package dev.ragtune.rag.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ragtune.service.errors.Inputs;

/** Answers in PostgreSQL (table {@code rag_queries}, migration {@code V2__queries.sql}). */
@ApplicationScoped
public class QueryStore {

    @Inject
    DataSource dataSource;

    public void save(StoredQuery q) {
        String sql = "INSERT INTO rag_queries (id, endpoint, question, system_prompt, answer, adapter, adapter_version, adapter_alias,"
                + " sources, prompt_tokens, completion_tokens, finish_reason, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, q.id());
            ps.setString(2, q.endpoint());
            ps.setString(3, q.question());
            ps.setString(4, q.systemPrompt());
            ps.setString(5, Inputs.storable(q.answer())); // model output may hold U+0000, which PostgreSQL text cannot
            ps.setString(6, q.adapter());
            if (q.adapterVersion() == null) {
                ps.setNull(7, Types.INTEGER);
            } else {
                ps.setInt(7, q.adapterVersion());
            }
            ps.setString(8, q.adapterAlias());
            ps.setString(9, q.sourcesJson());
            ps.setInt(10, q.promptTokens());
            ps.setInt(11, q.completionTokens());
            ps.setString(12, q.finishReason());
            ps.setTimestamp(13, Timestamp.from(q.createdAt()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store query " + q.id() + ": " + e.getMessage(), e);
        }
    }

    public Optional<StoredQuery> find(UUID id) {
        String sql = "SELECT id, endpoint, question, system_prompt, answer, adapter, adapter_version, adapter_alias, sources::text,"
                + " prompt_tokens, completion_tokens, finish_reason, created_at FROM rag_queries WHERE id = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Integer version = rs.getObject(7) == null ? null : rs.getInt(7);
                return Optional.of(new StoredQuery(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), version, rs.getString(8), rs.getString(9), rs.getInt(10), rs.getInt(11),
                        rs.getString(12), rs.getTimestamp(13).toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read query " + id + ": " + e.getMessage(), e);
        }
    }
}
