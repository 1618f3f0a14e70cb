package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.LinearModule;

/** SwiGLU feed-forward: {@code down( silu(gate(x)) ⊙ up(x) )}, {@code silu(z) = z · σ(z)}. */
final class MlpBlock {
    private MlpBlock() {
    }

    /** @param x {@code [B, S, H]} → {@code [B, S, H]} through {@code [B, S, I]} */
    static String apply(GraphBuilder g, LayerWeights w, String x) {
        String gate = w.linear(x, LinearModule.GATE_PROJ);
        String up = w.linear(x, LinearModule.UP_PROJ);
        String silu = g.op("Mul", new String[] {gate, g.op("Sigmoid", new String[] {gate})});
        return w.linear(g.op("Mul", new String[] {silu, up}), LinearModule.DOWN_PROJ);
    }
}
