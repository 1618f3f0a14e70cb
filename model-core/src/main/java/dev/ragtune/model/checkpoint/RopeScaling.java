package dev.ragtune.model.checkpoint;

/**
 * {@code rope_scaling} of a Hugging Face config. Only the {@code llama3} type is supported (Llama 3.1+);
 * its four parameters reshape the rotary inverse frequencies once, at load time.
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {
}
