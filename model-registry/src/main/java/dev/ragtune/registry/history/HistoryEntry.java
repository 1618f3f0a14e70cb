package dev.ragtune.registry.history;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One audited change; each has exactly one event with the same {@link #eventId}. */
@Entity
@Table(name = "history")
public class HistoryEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false, unique = true)
    public UUID eventId;

    @Column(name = "adapter_id", nullable = false)
    public Long adapterId;

    @Column(nullable = false)
    public String type;

    public Integer version;

    public String alias;

    @Column(name = "from_version")
    public Integer fromVersion;

    @Column(name = "to_version")
    public Integer toVersion;

    @Column(nullable = false)
    public String actor;

    public String reason;

    @Column(nullable = false)
    public boolean forced;

    @Column(nullable = false)
    public boolean rollback;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;
}
