package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Arrays whose memory belongs to libtorch, for every operand that autograd may save for the backward pass.
 *
 * <p>Why: on the CPU, DJL's PyTorch engine creates an array from Java data with {@code torch::from_blob} over a
 * direct {@code ByteBuffer} that only the Java {@code PtNDArray} keeps alive; closing that array drops the buffer
 * while a tensor saved in the autograd graph may still point at it. DJL's scalar operators
 * ({@code x.mul(0.125f)}, {@code x.div(n)}) do exactly that: they create the scalar, apply the operator and close
 * the scalar at once. {@code mul} and {@code div} save the scalar for their backward, so the backward pass read
 * freed memory whenever the garbage collector had released the buffer in between — the sporadic non-finite
 * q/k/LoRA gradients with finite losses seen before this class existed (layer 0 is differentiated last, so it was
 * hit most). {@code GradientLifetimeTest} reproduces that reuse deliberately.
 */
final class EngineArrays {
    private EngineArrays() {
    }

    /** A copy of {@code a} in libtorch-allocated memory; {@code a} is closed. */
    static NDArray owned(NDArray a) {
        NDArray copy = a.duplicate();
        a.close();
        return copy;
    }

    /** A float32 scalar (0-d array) in libtorch-allocated memory, owned by {@code manager}. */
    static NDArray scalar(NDManager manager, float value) {
        return owned(manager.create(value));
    }
}
