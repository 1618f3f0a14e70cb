package dev.ragtune.registry.versions;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One immutable registered version of an adapter. */
@Entity
@Table(name = "adapter_version")
public class AdapterVersion {

    public enum Status { ACTIVE, ARCHIVED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "adapter_id", nullable = false)
    public Long adapterId;

    @Column(nullable = false)
    public int version;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    /** The manifest as uploaded (JSON text). */
    @Column(nullable = false)
    public String manifest;

    @Column(name = "parent_version")
    public Integer parentVersion;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "archived_by")
    public String archivedBy;

    @Column(name = "archived_at")
    public Instant archivedAt;
}
