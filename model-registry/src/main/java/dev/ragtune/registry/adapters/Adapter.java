package dev.ragtune.registry.adapters;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A named LoRA adapter of one base model; its versions are numbered 1, 2, 3… */
@Entity
@Table(name = "adapter")
public class Adapter {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String name;

    @Column(name = "base_model_id", nullable = false)
    public String baseModelId;

    public String description;

    /** JSON object of string tags. */
    @Column(nullable = false)
    public String tags;

    /** Highest version number registered; the next upload gets {@code latestVersion + 1}. */
    @Column(name = "latest_version", nullable = false)
    public int latestVersion;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
