package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import dev.ragtune.model.checkpoint.LinearModule;

import java.util.Map;

/** A pre-norm decoder layer: {@code h = x + attn(norm1(x)); y = h + mlp(norm2(h))}. */
final class DecoderLayer {
    final RmsNorm inputNorm;
    final Attention attention;
    final RmsNorm postAttentionNorm;
    final Mlp mlp;
    private final Map<LinearModule, LoraLinear> linears;

    DecoderLayer(RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm, Mlp mlp,
                 Map<LinearModule, LoraLinear> linears) {
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.mlp = mlp;
        this.linears = Map.copyOf(linears);
    }

    /** x [b, s, H], mask [s, s] (causal, and this layer's sliding window) → [b, s, H]. */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask) {
        NDArray h = x.add(attention.forward(inputNorm.forward(x), cos, sin, mask));
        return h.add(mlp.forward(postAttentionNorm.forward(h)));
    }

    /** One of the family's projections. */
    LoraLinear linear(LinearModule m) {
        LoraLinear l = linears.get(m);
        if (l == null) {
            throw new IllegalArgumentException(m.shortName() + " is not a projection of this model (" + linears.keySet() + ")");
        }
        return l;
    }
}
