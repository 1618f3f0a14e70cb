package dev.ragtune.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Chooses the next token from one row of logits according to {@link SamplingParams}. */
final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /**
     * @param logits  {@code [V]}; modified in place by the repetition penalty
     * @param history token ids so far (prompt and generated), for the repetition penalty
     */
    int next(float[] logits, int[] history, int historyLength) {
        if (params.repetitionPenalty() != 1.0) {
            boolean[] seen = new boolean[logits.length];
            for (int i = 0; i < historyLength; i++) {
                int id = history[i];
                if (id >= 0 && id < logits.length && !seen[id]) {
                    seen[id] = true;
                    float l = logits[id];
                    logits[id] = (float) (l > 0 ? l / params.repetitionPenalty() : l * params.repetitionPenalty());
                }
            }
        }
        if (params.isGreedy()) {
            return argmax(logits);
        }
        return sample(logits);
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private int sample(float[] logits) {
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = params.topK() > 0 ? Math.min(params.topK(), v) : v;
        double max = logits[order[0]] / params.temperature();
        double[] probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp(logits[order[i]] / params.temperature() - max);
            sum += probs[i];
        }
        // nucleus: the smallest prefix whose probability mass reaches topP
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[i] / sum;
            if (cumulative >= params.topP()) {
                nucleus = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < nucleus; i++) {
            mass += probs[i];
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < nucleus; i++) {
            r -= probs[i];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[nucleus - 1];
    }
}
