package dev.ragtune.model.generate;

import java.util.List;

/**
 * How the next token is chosen and when generation stops. {@code temperature == 0} is greedy
 * (the default); otherwise logits are divided by the temperature, cut to the {@code topK} most
 * likely tokens and to the smallest set whose probability reaches {@code topP}, and sampled with a
 * generator seeded by {@code seed}.
 *
 * @param repetitionPenalty CTRL-style: logits of tokens already in the sequence are divided by it
 *                          (multiplied when negative); 1 disables it
 */
public record SamplingParams(int maxTokens, double temperature, int topK, double topP, double repetitionPenalty,
                             long seed, List<String> stopStrings) {

    public SamplingParams {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
        }
        stopStrings = List.copyOf(stopStrings);
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0, 0, 1.0, 1.0, 0, List.of());
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withStopStrings(List<String> stops) {
        return new SamplingParams(maxTokens, temperature, topK, topP, repetitionPenalty, seed, stops);
    }
}
