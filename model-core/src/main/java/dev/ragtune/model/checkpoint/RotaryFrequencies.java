package dev.ragtune.model.checkpoint;

/**
 * Inverse frequencies of rotary position embeddings, {@code θ_i = base^(-2i/r)} for {@code i < r/2}
 * where {@code r} is the rotary dimension ({@code head_dim · partial_rotary_factor}), with Llama 3's
 * frequency-dependent rescaling or longrope's per-frequency factors when the config asks for them.
 * Computed in float64 so that the trainer and the exported graph start from the same numbers.
 */
public final class RotaryFrequencies {
    private RotaryFrequencies() {
    }

    /** @return {@code [rotaryDim/2]} inverse frequencies (longrope: the short ones) */
    public static double[] inverseFrequencies(ModelConfig config) {
        return inverseFrequencies(config, false);
    }

    /** @param longFactors longrope only: the factors for sequences beyond {@code original_max_position_embeddings} */
    public static double[] inverseFrequencies(ModelConfig config, boolean longFactors) {
        return inverseFrequencies(config, longFactors, false);
    }

    /** @param local Gemma's sliding-window layers: base {@code rope_local_base_freq}, no scaling */
    public static double[] inverseFrequencies(ModelConfig config, boolean longFactors, boolean local) {
        int dim = config.rotaryDim();
        int half = dim / 2;
        double[] inv = new double[half];
        double base = local ? config.ropeLocalBaseFreq() : config.ropeTheta();
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
        }
        RopeScaling s = local ? null : config.ropeScaling();
        if (s != null && "linear".equals(s.type())) {
            for (int i = 0; i < half; i++) {
                inv[i] = inv[i] / s.factor();
            }
        } else if (s != null && RopeScaling.LLAMA3.equals(s.type())) {
            double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
            for (int i = 0; i < half; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen) {
                    inv[i] = inv[i] / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    inv[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
                }
            }
        } else if (s != null && s.isLongrope()) {
            double[] ext = longFactors ? s.longFactor() : s.shortFactor();
            for (int i = 0; i < half; i++) {
                inv[i] = inv[i] / ext[i];
            }
        }
        return inv;
    }

    /** Longrope: whether a forward over {@code totalLength} tokens (past + new) uses the long factors. */
    public static boolean usesLongFactors(ModelConfig config, int totalLength) {
        RopeScaling s = config.ropeScaling();
        return s != null && s.isLongrope() && totalLength > s.originalMaxPositionEmbeddings();
    }

    /**
     * Cosine and sine tables in Hugging Face's "rotate half" layout over the rotary dimension {@code r}:
     * row {@code p} is {@code [cos(p θ_0) … cos(p θ_{r/2-1}), cos(p θ_0) … cos(p θ_{r/2-1})] · a}, where
     * {@code a} is longrope's attention factor (1 otherwise).
     *
     * @return {cos, sin}, each {@code [positions * rotaryDim]} row-major
     */
    public static float[][] tables(ModelConfig config, int positions) {
        return tables(config, positions, false);
    }

    public static float[][] tables(ModelConfig config, int positions, boolean longFactors) {
        return tables(config, positions, longFactors, false);
    }

    public static float[][] tables(ModelConfig config, int positions, boolean longFactors, boolean local) {
        double[] inv = inverseFrequencies(config, longFactors, local);
        double scale = config.ropeScaling() != null && config.ropeScaling().isLongrope()
                ? config.ropeScaling().attentionFactor() : 1.0;
        int d = config.rotaryDim();
        int half = d / 2;
        float[] cos = new float[positions * d];
        float[] sin = new float[positions * d];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inv[i];
                float c = (float) (Math.cos(angle) * scale);
                float s = (float) (Math.sin(angle) * scale);
                cos[p * d + i] = c;
                cos[p * d + half + i] = c;
                sin[p * d + i] = s;
                sin[p * d + half + i] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
