package dev.ragtune.train;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate with linear warm-up then cosine decay to zero (as transformers'
 * {@code get_cosine_schedule_with_warmup}). DJL's optimizers call it with the 1-based update
 * number: update {@code t ≤ w} gets {@code peak · t / w}; after that
 * {@code peak · ½ (1 + cos(π (t - w) / (T - w)))}.
 */
public final class WarmupCosineTracker implements Tracker {
    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;

    public WarmupCosineTracker(double peak, int warmupSteps, int totalSteps) {
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = Math.max(totalSteps, 1);
    }

    @Override
    public float getNewValue(int numUpdate) {
        return (float) valueAt(numUpdate);
    }

    public double valueAt(int step) {
        if (step <= warmupSteps) {
            return peak * step / Math.max(warmupSteps, 1);
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        // keep the very last step from being exactly zero, which would waste it
        return Math.max(peak * 0.5 * (1 + Math.cos(Math.PI * progress)), peak * 0.01);
    }
}
