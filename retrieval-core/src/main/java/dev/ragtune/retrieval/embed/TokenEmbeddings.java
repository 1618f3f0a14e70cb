package dev.ragtune.retrieval.embed;

/**
 * The raw output of the transformer for a batch, before pooling: {@code values[b][t][h]} and the attention mask
 * {@code mask[b][t]} (1 for real tokens, 0 for padding). Exposed so that tests can recompute pooling independently.
 */
public record TokenEmbeddings(float[][][] values, long[][] mask) {
}
