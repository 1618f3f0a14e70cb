package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.ArchitectureSpec;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;

import static dev.ragtune.model.onnx.GraphBuilder.attr;

/**
 * Gated feed-forward: {@code down( act(gate(x)) ⊙ up(x) )}, SwiGLU ({@code act = silu}, {@code silu(z) = z · σ(z)})
 * or Gemma's GeGLU ({@code act = gelu_pytorch_tanh}). With a fused
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
        String act = c.spec().activation() == ArchitectureSpec.Activation.SILU
                ? g.op("Mul", new String[] {gate, g.op("Sigmoid", new String[] {gate})})
                : geluTanh(g, gate);
        return w.linear(g.op("Mul", new String[] {act, up}), LinearModule.DOWN_PROJ);
    }

    /** {@code gelu_pytorch_tanh(z) = ½ z (1 + tanh(√(2/π) (z + 0.044715 z³)))}; opset 17 has no Gelu op. */
    private static String geluTanh(GraphBuilder g, String z) {
        String z3 = g.op("Mul", new String[] {g.op("Mul", new String[] {z, z}), z});
        String inner = g.op("Mul", new String[] {g.op("Add", new String[] {z, g.op("Mul", new String[] {z3, g.scalar(0.044715f)})}),
                g.scalar((float) Math.sqrt(2 / Math.PI))});
        String onePlus = g.op("Add", new String[] {g.op("Tanh", new String[] {inner}), g.scalar(1f)});
        return g.op("Mul", new String[] {g.op("Mul", new String[] {z, g.scalar(0.5f)}), onePlus});
    }
}
