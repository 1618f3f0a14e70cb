package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.tracker.Tracker;

import java.util.HashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, 2019) over NDArrays, with PyTorch's {@code torch.optim.AdamW}
 * arithmetic: for update {@code t} (1-based) and learning rate {@code lr_t} from the tracker,
 * <pre>
 *   w ← w − lr_t · λ · w                      (decoupled weight decay)
 *   m ← β1 m + (1 − β1) g
 *   v ← β2 v + (1 − β2) g²
 *   w ← w − lr_t · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * </pre>
 * Written out rather than DJL's {@code Optimizer.adamW()} so that every operation is a visible,
 * ordinary tensor op whose arithmetic a test checks against a scalar reference. (It first replaced
 * DJL's optimizer on the suspicion that the native update caused the sporadic non-finite
 * gradients; the cause was elsewhere, see {@link EngineArrays}.) Its scalar operators run outside
 * autograd, so nothing here is saved for a backward pass. Moments live in the parameter's manager.
 */
final class AdamW {
    private final Tracker learningRate;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Map<String, NDArray[]> state = new HashMap<>();
    private int t;

    AdamW(Tracker learningRate, double weightDecay) {
        this(learningRate, 0.9, 0.999, 1e-8, weightDecay);
    }

    AdamW(Tracker learningRate, double beta1, double beta2, double eps, double weightDecay) {
        this.learningRate = learningRate;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
    }

    /** Starts update {@code t + 1}; call once per optimizer step, before the parameters' updates. */
    void nextStep() {
        t++;
    }

    int step() {
        return t;
    }

    /** Updates {@code w} in place from gradient {@code g} (same shape, any manager). */
    void update(String name, NDArray w, NDArray g) {
        float lr = learningRate.getNewValue(t);
        NDArray[] mv = state.computeIfAbsent(name, k -> new NDArray[] {w.zerosLike(), w.zerosLike()});
        NDArray m = mv[0];
        NDArray v = mv[1];
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.square().mul(1 - beta2));
        float bc1 = (float) (1 - Math.pow(beta1, t));
        float bc2 = (float) (1 - Math.pow(beta2, t));
        if (weightDecay != 0) {
            w.muli(1 - lr * weightDecay);
        }
        // temporaries go to the gradient's (per-step) manager, not the parameter's
        NDArray vHat = v.div(bc2);
        vHat.attach(g.getManager());
        NDArray mHat = m.div(bc1);
        mHat.attach(g.getManager());
        w.subi(mHat.div(vHat.sqrt().add(eps)).mul(lr));
    }
}
