package dev.ragtune.registry.versions;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A file of a version; its bytes live in the blob store under {@link #sha256}. */
@Entity
@Table(name = "version_file")
public class VersionFile {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "version_id", nullable = false)
    public Long versionId;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String sha256;

    @Column(nullable = false)
    public long size;
}
