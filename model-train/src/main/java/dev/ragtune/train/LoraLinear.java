package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ragtune.model.checkpoint.LinearModule;

import java.util.SplittableRandom;

/**
 * A frozen linear projection with an optional LoRA branch (Hu et al., 2021):
 * {@code y = x W^T (+ b) + scale · (x A^T) B^T}, {@code W [out, in]}, {@code A [r, in]}, {@code B [out, r]}.
 * The branch is held transposed ({@code A^T [in, r]}, {@code B^T [r, out]}) so that the forward is
 * two plain matmuls with the activation on the left.
 */
final class LoraLinear {
    final LinearModule module;
    final int in;
    final int out;
    private final NDArray weightT; // W^T [in, out], frozen
    private final NDArray bias;    // [out] or null, frozen
    NDArray loraAT;                // A^T [in, r], trainable, or null
    NDArray loraBT;                // B^T [r, out], trainable, or null
    float scale;
    private NDArray scaleArray;    // 0-d alpha/r in engine memory (see EngineArrays), or null

    LoraLinear(LinearModule module, NDArray weightT, NDArray bias) {
        this.module = module;
        this.weightT = weightT;
        this.bias = bias;
        this.in = (int) weightT.getShape().get(0);
        this.out = (int) weightT.getShape().get(1);
    }

    /** x [..., in] → [..., out]; the result belongs to x's manager. */
    NDArray forward(NDArray x) {
        NDArray y = x.matMul(weightT);
        if (bias != null) {
            y = y.add(bias);
        }
        if (loraAT != null) {
            y = y.add(x.matMul(loraAT).matMul(loraBT).mul(scaleArray));
        }
        return y;
    }

    /**
     * Installs a LoRA branch from PEFT-layout matrices {@code A [r, in]} and {@code B [out, r]}.
     * The arrays are created in {@code manager} and require gradients.
     */
    void setLora(NDManager manager, int r, float[] a, float[] b, float scale) {
        clearLora();
        float[] at = new float[in * r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < in; j++) {
                at[j * r + i] = a[i * in + j];
            }
        }
        float[] bt = new float[r * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < r; i++) {
                bt[i * out + o] = b[o * r + i];
            }
        }
        loraAT = manager.create(at, new Shape(in, r));
        loraBT = manager.create(bt, new Shape(r, out));
        loraAT.setRequiresGradient(true);
        loraBT.setRequiresGradient(true);
        this.scale = scale;
        this.scaleArray = EngineArrays.scalar(manager, scale);
    }

    void clearLora() {
        if (loraAT != null) {
            loraAT.close();
            loraBT.close();
            scaleArray.close();
        }
        loraAT = null;
        loraBT = null;
        scaleArray = null;
    }

    /** Current {@code A [r, in]} in PEFT layout. */
    float[] peftA() {
        int r = (int) loraAT.getShape().get(1);
        float[] at = loraAT.toFloatArray();
        float[] a = new float[r * in];
        for (int j = 0; j < in; j++) {
            for (int i = 0; i < r; i++) {
                a[i * in + j] = at[j * r + i];
            }
        }
        return a;
    }

    /** Current {@code B [out, r]} in PEFT layout. */
    float[] peftB() {
        int r = (int) loraBT.getShape().get(0);
        float[] bt = loraBT.toFloatArray();
        float[] b = new float[out * r];
        for (int i = 0; i < r; i++) {
            for (int o = 0; o < out; o++) {
                b[o * r + i] = bt[i * out + o];
            }
        }
        return b;
    }

    /**
     * PEFT's initialisation: {@code A ~ kaiming_uniform(a=√5)}, i.e. {@code U(-1/√in, 1/√in)}
     * (gain √(2/(1+5)) times √(3/fan_in)), and {@code B = 0}, so the adapter starts as the identity.
     */
    static float[] kaimingUniformA(int r, int in, SplittableRandom rnd) {
        double bound = 1.0 / Math.sqrt(in);
        float[] a = new float[r * in];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }
}
