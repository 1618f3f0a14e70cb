package dev.ragtune.rag.answer;

/**
 * A retrieved chunk as the prompt and the response number it.
 *
 * @param n     1-based number, in rank order; the answer cites it as {@code [n]}
 * @param score the retrieval score (fused rank score)
 */
public record SourceChunk(int n, String documentId, String title, String text, double score) {
}
