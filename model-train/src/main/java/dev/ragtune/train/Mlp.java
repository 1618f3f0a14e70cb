package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;

/**
 * SwiGLU feed-forward (Shazeer, 2020): {@code down(silu(gate(x)) ⊙ up(x))}; with Phi-3's fused
 * {@code gate_up_proj} one projection gives {@code [gate; up]}, split in halves.
 */
final class Mlp {
    final LoraLinear gate;   // H → I, or null when fused
    final LoraLinear up;     // H → I, or null when fused
    final LoraLinear gateUp; // H → 2I, or null
    final LoraLinear down;   // I → H

    private final boolean geluTanh; // GeGLU (Gemma) instead of SwiGLU

    Mlp(LoraLinear gate, LoraLinear up, LoraLinear gateUp, LoraLinear down, boolean geluTanh) {
        this.geluTanh = geluTanh;
        this.gate = gate;
        this.up = up;
        this.gateUp = gateUp;
        this.down = down;
    }

    /** x [b, s, H] → [b, s, H]. */
    NDArray forward(NDArray x) {
        NDArray g;
        NDArray u;
        if (gateUp != null) {
            NDArray both = gateUp.forward(x);                      // [b, s, 2I]
            NDList halves = both.split(2, both.getShape().dimension() - 1); // [b, s, I] each
            g = halves.get(0);
            u = halves.get(1);
        } else {
            g = gate.forward(x);                         // [b, s, I]
            u = up.forward(x);
        }
        NDArray act = geluTanh
                ? g.mul(g.mul(g).mul(g).mul(0.044715f).add(g).mul((float) Math.sqrt(2 / Math.PI)).tanh().add(1f)).mul(0.5f)
                : g.mul(Activation.sigmoid(g));      // silu(g) = g · σ(g);  gelu_tanh(g) = ½ g (1 + tanh(√(2/π)(g + 0.044715 g³)))
        return down.forward(act.mul(u));             // [b, s, H]
    }
}
