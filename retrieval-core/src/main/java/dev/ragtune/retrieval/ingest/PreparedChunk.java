package dev.ragtune.retrieval.ingest;

import java.util.Map;

import dev.ragtune.retrieval.index.IndexedChunk;

/** A chunk with its detected language and its embedding, ready to store and index. */
public record PreparedChunk(Chunk chunk, String language, float[] vector) {

    public IndexedChunk toIndexed(String documentId, String title, Map<String, String> metadata) {
        return new IndexedChunk(documentId, title, IndexedChunk.chunkId(documentId, chunk.ordinal()), chunk.ordinal(), chunk.text(),
                chunk.headingLine(), chunk.start(), chunk.end(), language, metadata, vector);
    }
}
