package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;

import static dev.ragtune.model.onnx.GraphBuilder.attr;

/**
 * SwiGLU feed-forward: {@code down( silu(gate(x)) ⊙ up(x) )}, {@code silu(z) = z · σ(z)}. With a fused
 * {@code gate_up_proj} (Phi-3) one projection gives {@code [gate; up]}, split in halves.
 */
final class MlpBlock {
    private MlpBlock() {
    }

    /** @param x {@code [B, S, H]} → {@code [B, S, H]} through {@code [B, S, I]} */
    static String apply(GraphBuilder g, LayerWeights w, ModelConfig c, String x) {
        String gate;
        String up;
        if (c.spec().fusedGateUp()) {
            String[] halves = g.ops("Split", new String[] {g.fresh("gate"), g.fresh("up")},
                    new String[] {w.linear(x, LinearModule.GATE_UP_PROJ), g.ints(c.intermediateSize(), c.intermediateSize())},
                    attr("axis", -1L));
            gate = halves[0];
            up = halves[1];
        } else {
            gate = w.linear(x, LinearModule.GATE_PROJ);
            up = w.linear(x, LinearModule.UP_PROJ);
        }
        String silu = g.op("Mul", new String[] {gate, g.op("Sigmoid", new String[] {gate})});
        return w.linear(g.op("Mul", new String[] {silu, up}), LinearModule.DOWN_PROJ);
    }
}
