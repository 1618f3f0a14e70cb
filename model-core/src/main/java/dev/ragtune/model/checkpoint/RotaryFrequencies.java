package dev.ragtune.model.checkpoint;

/**
 * Inverse frequencies of rotary position embeddings, {@code θ_i = base^(-2i/d)} for
 * {@code i < d/2}, with Llama 3's frequency-dependent rescaling when the config asks for it.
 * Computed in float64 so that the trainer and the exported graph start from the same numbers.
 */
public final class RotaryFrequencies {
    private RotaryFrequencies() {
    }

    /** @return {@code [headDim/2]} inverse frequencies */
    public static double[] inverseFrequencies(ModelConfig config) {
        int half = config.headDim() / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headDim());
        }
        RopeScaling s = config.ropeScaling();
        if (s != null && "llama3".equals(s.type())) {
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
        }
        return inv;
    }

    /**
     * Cosine and sine tables in Hugging Face's "rotate half" layout: row {@code p} is
     * {@code [cos(p θ_0) … cos(p θ_{d/2-1}), cos(p θ_0) … cos(p θ_{d/2-1})]}.
     *
     * @return {cos, sin}, each {@code [positions * headDim]} row-major
     */
    public static float[][] tables(ModelConfig config, int positions) {
        double[] inv = inverseFrequencies(config);
        int d = config.headDim();
        int half = d / 2;
        float[] cos = new float[positions * d];
        float[] sin = new float[positions * d];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inv[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * d + i] = c;
                cos[p * d + half + i] = c;
                sin[p * d + i] = s;
                sin[p * d + half + i] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
