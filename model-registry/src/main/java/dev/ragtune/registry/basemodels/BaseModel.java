package dev.ragtune.registry.basemodels;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A base model checkpoint that adapters are trained on. */
@Entity
@Table(name = "base_model")
public class BaseModel {

    @Id
    public String id;

    @Column(nullable = false)
    public String architecture;

    @Column(name = "checkpoint_location", nullable = false)
    public String checkpointLocation;

    @Column(name = "weights_sha256")
    public String weightsSha256;

    public String description;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
