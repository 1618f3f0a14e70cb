package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import dev.ragtune.model.checkpoint.LinearModule;

import java.util.Map;

/**
 * A pre-norm decoder layer: {@code h = x + [attnOutNorm](attn(inputNorm(x))); y = h + [mlpOutNorm](mlp(mlpNorm(h)))},
 * the bracketed norms only in sandwich-norm families (Gemma).
 */
final class DecoderLayer {
    final RmsNorm inputNorm;
    final Attention attention;
    final RmsNorm attnOutNorm; // Gemma's post_attention_layernorm, or null
    final RmsNorm mlpNorm;     // post_attention_layernorm (Llama-style) or pre_feedforward_layernorm (Gemma)
    final Mlp mlp;
    final RmsNorm mlpOutNorm;  // Gemma's post_feedforward_layernorm, or null
    private final Map<LinearModule, LoraLinear> linears;

    DecoderLayer(RmsNorm inputNorm, Attention attention, RmsNorm attnOutNorm, RmsNorm mlpNorm, Mlp mlp, RmsNorm mlpOutNorm,
                 Map<LinearModule, LoraLinear> linears) {
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.attnOutNorm = attnOutNorm;
        this.mlpNorm = mlpNorm;
        this.mlp = mlp;
        this.mlpOutNorm = mlpOutNorm;
        this.linears = Map.copyOf(linears);
    }

    /** x [b, s, H], mask [s, s] (causal, and this layer's sliding window) → [b, s, H]. */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask) {
        NDArray a = attention.forward(inputNorm.forward(x), cos, sin, mask);
        NDArray h = x.add(attnOutNorm != null ? attnOutNorm.forward(a) : a);
        NDArray m = mlp.forward(mlpNorm.forward(h));
        return h.add(mlpOutNorm != null ? mlpOutNorm.forward(m) : m);
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
