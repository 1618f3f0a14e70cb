package dev.ragtune.retrieval.retrieve;

import java.util.Map;

/**
 * A retrieved chunk, as {@code POST /v1/retrieve} returns it and as a prompt cites it.
 *
 * @param score the fused reciprocal-rank score in hybrid mode, BM25 in bm25 mode, the vector similarity
 *              ({@code (1 + cosine) / 2}) in vector mode; higher is better
 */
public record RetrievedChunk(String documentId, String title, String chunkId, String text, double score,
                             Map<String, String> metadata, String headingPath, int ordinal, int start, int end, String language) {
}
