package dev.ragtune.retrieval.ingest;

/** Counts tokens the way the embedding model's tokenizer does (no special tokens). */
public interface TokenCounter {

    /** Number of tokens of {@code text}. */
    int count(String text);

    /** End offset (exclusive, in chars of {@code text}) of each token, in order. */
    int[] tokenEnds(String text);
}
