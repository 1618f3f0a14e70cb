package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** SwiGLU feed-forward (Shazeer, 2020): {@code down(silu(gate(x)) ⊙ up(x))}. */
final class Mlp {
    final LoraLinear gate; // H → I
    final LoraLinear up;   // H → I
    final LoraLinear down; // I → H

    Mlp(LoraLinear gate, LoraLinear up, LoraLinear down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    /** x [b, s, H] → [b, s, H]. */
    NDArray forward(NDArray x) {
        NDArray g = gate.forward(x);                 // [b, s, I]
        NDArray act = g.mul(Activation.sigmoid(g));  // silu(g) = g · σ(g)
        return down.forward(act.mul(up.forward(x))); // [b, s, H]
    }
}
