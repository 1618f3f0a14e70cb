package dev.ragtune.rag.documents;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One chunk of a document, with its position, language and embedding (so the index can be rebuilt without the model). */
@Entity
@Table(name = "chunk")
public class ChunkRecord {

    @Id
    public String id;

    @Column(name = "document_id", nullable = false)
    public String documentId;

    @Column(nullable = false)
    public int ordinal;

    @Column(name = "start_offset", nullable = false)
    public int startOffset;

    @Column(name = "end_offset", nullable = false)
    public int endOffset;

    @Column(name = "heading_path", nullable = false)
    public String headingPath;

    @Column(nullable = false)
    public String language;

    @Column(name = "token_count", nullable = false)
    public int tokenCount;

    @Column(nullable = false)
    public String text;

    @Column(name = "embedding_model", nullable = false)
    public String embeddingModel;

    /** float32 little-endian. */
    @Column(nullable = false)
    public byte[] embedding;
}
