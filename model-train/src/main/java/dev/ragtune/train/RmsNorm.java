package dev.ragtune.train;

import ai.djl.ndarray.NDArray;

/**
 * Root-mean-square layer norm (Zhang and Sennrich, 2019), as in Llama:
 * {@code y = x / sqrt(mean(x²) + eps) · w}, over the last axis.
 */
final class RmsNorm {
    private final NDArray weight; // [H]
    private final float eps;

    RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    /** x [..., H] → [..., H]; the result belongs to x's manager. */
    NDArray forward(NDArray x) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true); // [..., 1]
        return x.div(meanSquare.add(eps).sqrt()).mul(weight);
    }
}
