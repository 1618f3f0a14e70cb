package dev.ragtune.retrieval.embed;

/**
 * Counts the tokens of a text the way the embedding model's tokenizer does (no special tokens): what the chunker sizes
 * chunks with. {@link SentenceEmbedder} is one. (Not {@code common}'s {@code TokenCounter}, which counts a training
 * conversation in the served model's chat template.)
 */
public interface TextTokenCounter {

    /** Number of tokens of {@code text}. */
    int count(String text);

    /** End offset (exclusive, in chars of {@code text}) of each token, in order. */
    int[] tokenEnds(String text);
}
