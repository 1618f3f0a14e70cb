package dev.ragtune.train;

import java.time.Duration;

/**
 * One optimizer step's report.
 *
 * @param loss            mean cross-entropy over the step's assistant tokens
 * @param tokensPerSecond input tokens processed per second since the start
 * @param eta             estimated time to the end, from the mean step time so far
 */
public record TrainingProgress(int step, int totalSteps, int epoch, double loss, double learningRate,
                               double tokensPerSecond, Duration eta) {

    /** e.g. {@code step 12/200  loss 2.3412  lr 1.2e-03  1834 tok/s  ETA 1m05s}. */
    public String line() {
        long s = eta.toSeconds();
        String etaText = s >= 60 ? (s / 60) + "m" + String.format("%02ds", s % 60) : s + "s";
        return String.format(java.util.Locale.ROOT, "step %d/%d  epoch %d  loss %.4f  lr %.2e  %.0f tok/s  ETA %s",
                step, totalSteps, epoch, loss, learningRate, tokensPerSecond, etaText);
    }
}
