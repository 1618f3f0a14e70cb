package dev.ragtune.tuning.eval;

/**
 * Mean next-token cross-entropy over the assistant tokens of a set of conversations (every token
 * weighs the same, so long answers count more than short ones), and {@code perplexity = exp(loss)}.
 */
public record LossResult(double loss, double perplexity, long targetTokens, int conversations) {
    public static LossResult of(double nllSum, long targetTokens, int conversations) {
        if (targetTokens == 0) {
            return new LossResult(Double.NaN, Double.NaN, 0, conversations);
        }
        double loss = nllSum / targetTokens;
        return new LossResult(loss, Math.exp(loss), targetTokens, conversations);
    }
}
