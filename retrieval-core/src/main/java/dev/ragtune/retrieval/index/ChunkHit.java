package dev.ragtune.retrieval.index;

/** A chunk found by one search, with that search's score (BM25, or the vector similarity). */
public record ChunkHit(IndexedChunk chunk, float score) {
}
