package dev.ragtune.tuning.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ragtune.tuning.eval.AnswerScores;
import dev.ragtune.tuning.eval.LossResult;
import dev.ragtune.tuning.eval.ModelEvaluation;

/** The staging decision and its reason exactly as the manifest's {@code staging} and the alias change record them. */
class StagingRuleTest {

    private static ModelEvaluation eval(double loss, double exactMatch, double trainExactMatch) {
        return new ModelEvaluation(new LossResult(loss, Math.exp(loss), 10, 3), new AnswerScores(3, exactMatch, 0.5, List.of()),
                new AnswerScores(20, trainExactMatch, 0.5, List.of()));
    }

    @Test
    void noProductionGetsStaging() {
        assertThat(StagingRule.decide(eval(9, 0, 0), null))
                .isEqualTo(new StagingRule.Decision(true, "no production version to compare with"));
    }

    @Test
    void equalOrBetterOnAllThreeGetsStaging() {
        StagingRule.Decision at = new StagingRule.Decision(true, "at least as good as production on exact_match, train_exact_match and eval_loss");
        assertThat(StagingRule.decide(eval(1.2, 0.5, 0.9), eval(1.2, 0.5, 0.9))).isEqualTo(at);
        assertThat(StagingRule.decide(eval(1.0, 0.6, 1.0), eval(1.2, 0.5, 0.9))).isEqualTo(at);
    }

    @Test
    void worseOnAnyFigureIsRefusedNamingEach() {
        assertThat(StagingRule.decide(eval(1.5, 0.2, 0.5), eval(1.2, 0.5, 0.9))).isEqualTo(new StagingRule.Decision(false,
                "worse than production: exact_match 0.2000 < production 0.5000, train_exact_match 0.5000 < production 0.9000, "
                        + "eval_loss 1.5000 > production 1.2000"));
        assertThat(StagingRule.decide(eval(1.2, 0.5, 0.85), eval(1.2, 0.5, 0.9))).isEqualTo(new StagingRule.Decision(false,
                "worse than production: train_exact_match 0.8500 < production 0.9000"));
    }

    @Test
    void aFigureNotMeasuredOnEitherSideIsNotCompared() {
        StagingRule.Decision at = new StagingRule.Decision(true, "at least as good as production on exact_match, train_exact_match and eval_loss");
        // no eval records: NaN loss and exact match on the candidate; a non-finite loss on production
        assertThat(StagingRule.decide(eval(Double.NaN, Double.NaN, 0.9), eval(1.2, 0.5, 0.9))).isEqualTo(at);
        assertThat(StagingRule.decide(eval(1.5, 0.5, 0.9), eval(Double.POSITIVE_INFINITY, 0.5, 0.9))).isEqualTo(at);
        assertThat(StagingRule.decide(eval(Double.POSITIVE_INFINITY, 0.5, 0.9), eval(1.2, 0.5, 0.9))).isEqualTo(at);
    }
}
