package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import dev.ragtune.model.checkpoint.LinearModule;

/** A pre-norm Llama decoder layer: {@code h = x + attn(norm1(x)); y = h + mlp(norm2(h))}. */
final class DecoderLayer {
    final RmsNorm inputNorm;
    final Attention attention;
    final RmsNorm postAttentionNorm;
    final Mlp mlp;

    DecoderLayer(RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm, Mlp mlp) {
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.mlp = mlp;
    }

    /** x [b, s, H] → [b, s, H]. */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask) {
        NDArray h = x.add(attention.forward(inputNorm.forward(x), cos, sin, mask));
        return h.add(mlp.forward(postAttentionNorm.forward(h)));
    }

    LoraLinear linear(LinearModule m) {
        return switch (m) {
            case Q_PROJ -> attention.q;
            case K_PROJ -> attention.k;
            case V_PROJ -> attention.v;
            case O_PROJ -> attention.o;
            case GATE_PROJ -> mlp.gate;
            case UP_PROJ -> mlp.up;
            case DOWN_PROJ -> mlp.down;
        };
    }
}
