package dev.ragtune.tuning.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact match and token-F1 averaged over a set of examples (each example weighs the same).
 * {@code misses} keeps a few wrong answers ("reference ≠ answer") for logs and the job's record.
 */
public record AnswerScores(int examples, double exactMatch, double tokenF1, List<String> misses) {
    public static final int MAX_MISSES_KEPT = 5;

    public AnswerScores {
        misses = List.copyOf(misses);
    }

    /** Accumulates one answer at a time. */
    public static final class Builder {
        private int n;
        private int exact;
        private double f1;
        private final List<String> misses = new ArrayList<>();

        public Builder add(String answer, String reference) {
            n++;
            if (AnswerMetrics.exactMatch(answer, reference)) {
                exact++;
            } else if (misses.size() < MAX_MISSES_KEPT) {
                misses.add(reference + " ≠ " + answer);
            }
            f1 += AnswerMetrics.tokenF1(answer, reference);
            return this;
        }

        /** With no examples both figures are NaN: nothing was measured. */
        public AnswerScores build() {
            return n == 0 ? new AnswerScores(0, Double.NaN, Double.NaN, misses)
                    : new AnswerScores(n, (double) exact / n, f1 / n, misses);
        }
    }
}
