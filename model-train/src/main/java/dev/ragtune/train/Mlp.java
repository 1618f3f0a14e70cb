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

    Mlp(LoraLinear gate, LoraLinear up, LoraLinear gateUp, LoraLinear down) {
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
        NDArray act = g.mul(Activation.sigmoid(g));  // silu(g) = g · σ(g)
        return down.forward(act.mul(u));             // [b, s, H]
    }
}
