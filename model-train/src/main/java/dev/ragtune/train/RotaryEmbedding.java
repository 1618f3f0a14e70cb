package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.RotaryFrequencies;

/**
 * Rotary position embeddings (Su et al., RoFormer) in Hugging Face's "rotate half" layout:
 * {@code x' = x · cos + rotate_half(x) · sin} with {@code rotate_half([x1, x2]) = [-x2, x1]} and
 * cos/sin rows {@code [cos pθ_0 … cos pθ_{d/2-1}, cos pθ_0 … cos pθ_{d/2-1}]}. The angles come from
 * {@link RotaryFrequencies} (float64, with Llama 3 scaling), the same numbers the exporter uses.
 */
final class RotaryEmbedding {
    private final ModelConfig config;

    RotaryEmbedding(ModelConfig config) {
        this.config = config;
    }

    /**
     * {cos, sin}, each {@code [seq, rotaryDim]}, for positions {@code 0..seq-1}, in {@code scope}
     * (longrope: the long factors when {@code seq} exceeds {@code original_max_position_embeddings};
     * {@code local}: Gemma's sliding-window layers, base {@code rope_local_base_freq}).
     */
    NDArray[] tables(NDManager scope, int seq, boolean local) {
        float[][] t = RotaryFrequencies.tables(config, seq, RotaryFrequencies.usesLongFactors(config, seq), local);
        Shape shape = new Shape(seq, config.rotaryDim());
        return new NDArray[] {EngineArrays.owned(scope.create(t[0], shape)), EngineArrays.owned(scope.create(t[1], shape))};
    }

    /** x [b, heads, seq, d], cos/sin [seq, r] → [b, heads, seq, d]: the first r dims rotate, the rest pass. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long d = x.getShape().get(3);
        long r = cos.getShape().get(1);
        if (r < d) {
            NDList parts = x.split(new long[] {r}, 3);
            return NDArrays.concat(new NDList(rotate(parts.get(0), cos, sin), parts.get(1)), 3);
        }
        return rotate(x, cos, sin);
    }

    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDList parts = x.split(new long[] {half}, 3);           // x1, x2: [b, h, s, d/2]
        NDArray rotated = NDArrays.concat(new NDList(parts.get(1).neg(), parts.get(0)), 3); // [-x2, x1]
        return x.mul(cos).add(rotated.mul(sin));
    }
}
