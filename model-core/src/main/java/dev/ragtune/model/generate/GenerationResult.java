package dev.ragtune.model.generate;

/**
 * @param ttftMs          time to first token: prefill plus the first sampling step
 * @param tokensPerSecond decode speed over the tokens after the first
 */
public record GenerationResult(String text, int[] promptIds, int[] tokenIds, double ttftMs, double tokensPerSecond,
                               FinishReason finishReason) {
}
