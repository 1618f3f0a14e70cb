package dev.ragtune.rag.documents;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An ingested document: its normalised text and what identifies its content. */
@Entity
@Table(name = "document")
public class DocumentRecord {

    @Id
    public String id;

    public String title;

    @Column(name = "content_type", nullable = false)
    public String contentType;

    @Column(name = "source_name")
    public String sourceName;

    /** sha256 of title, metadata and text: the same hash again is a no-op. */
    @Column(name = "content_hash", nullable = false)
    public String contentHash;

    /** JSON object of strings. */
    @Column(nullable = false)
    public String metadata;

    @Column(nullable = false)
    public String text;

    @Column(name = "chunk_count", nullable = false)
    public int chunkCount;

    @Column(nullable = false)
    public int revision;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
