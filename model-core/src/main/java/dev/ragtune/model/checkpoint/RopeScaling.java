package dev.ragtune.model.checkpoint;

import java.util.Arrays;

/**
 * {@code rope_scaling} of a Hugging Face config: {@code llama3} (Llama 3.1+: {@code factor},
 * {@code low_freq_factor}, {@code high_freq_factor}, {@code original_max_position_embeddings}) or
 * {@code longrope} (Phi-3-128k/3.5/4-mini: per-frequency {@code short_factor} and {@code long_factor},
 * the long ones used once a sequence is longer than {@code original_max_position_embeddings}, and
 * cos/sin scaled by {@code attentionFactor}).
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings, double[] shortFactor, double[] longFactor,
                          double attentionFactor) {

    public static final String LLAMA3 = "llama3";
    public static final String LONGROPE = "longrope";

    public RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                       int originalMaxPositionEmbeddings) {
        this(type, factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings, null, null, 1.0);
    }

    public static RopeScaling longrope(double[] shortFactor, double[] longFactor, int originalMaxPositionEmbeddings,
                                       double factor, double attentionFactor) {
        return new RopeScaling(LONGROPE, factor, 0, 0, originalMaxPositionEmbeddings, shortFactor.clone(),
                longFactor.clone(), attentionFactor);
    }

    public boolean isLongrope() {
        return LONGROPE.equals(type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RopeScaling r && type.equals(r.type) && factor == r.factor && lowFreqFactor == r.lowFreqFactor
                && highFreqFactor == r.highFreqFactor && originalMaxPositionEmbeddings == r.originalMaxPositionEmbeddings
                && Arrays.equals(shortFactor, r.shortFactor) && Arrays.equals(longFactor, r.longFactor)
                && attentionFactor == r.attentionFactor;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(shortFactor) * 17 + Double.hashCode(factor);
    }
}
