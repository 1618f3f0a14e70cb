package dev.ragtune.tuning.publish;

import dev.ragtune.common.manifest.CandidateComparison;
import dev.ragtune.common.manifest.CandidateComparison.Basis;
import dev.ragtune.common.manifest.CandidateComparison.Figures;
import dev.ragtune.common.manifest.CandidateComparison.Metric;
import dev.ragtune.common.manifest.CandidateComparison.Outcome;
import dev.ragtune.common.manifest.MetricNames;
import dev.ragtune.tuning.eval.ModelEvaluation;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whether a new version gets the {@code staging} alias: {@link CandidateComparison} on basis {@link Basis#SAME_JOB}.
 * It must be at least as good as the current production version, both measured in the same job on the same data,
 * on both exact-match figures (eval split and training sample; higher is better) and not worse on eval loss (lower
 * is better). Equal is not worse. A figure that one side lacks (NaN: e.g. no eval records) is not compared.
 * With no production version the candidate always gets {@code staging}.
 */
public final class StagingRule {
    public static final String ALIAS = "staging";

    private StagingRule() {
    }

    public record Decision(boolean staging, String reason) {
    }

    public static Decision decide(ModelEvaluation candidate, ModelEvaluation production) {
        Outcome o = CandidateComparison.compare(Basis.SAME_JOB, figures(candidate), production == null ? null : figures(production));
        return switch (o.status()) {
            case NO_PRODUCTION -> new Decision(true, "no production version to compare with");
            case WORSE -> new Decision(false, "worse than production: " + o.losses().stream()
                    .map(l -> String.format(Locale.ROOT, "%s %.4f %s production %.4f", l.metric().key(), l.candidate(),
                            l.metric().direction().worseSymbol(), l.production()))
                    .collect(Collectors.joining(", ")));
            // nothing lost, or nothing measured on both sides
            case NOT_WORSE, NO_COMMON_METRIC, EVAL_SET_DIFFERS -> new Decision(true, "at least as good as production on "
                    + MetricNames.EXACT_MATCH + ", " + MetricNames.TRAIN_EXACT_MATCH + " and " + MetricNames.EVAL_LOSS);
        };
    }

    /** The job's in-memory figures; NaN (nothing measured) is dropped. The eval set is the job's own: not needed on this basis. */
    private static Figures figures(ModelEvaluation e) {
        return Figures.measured(null, Map.of(Metric.EXACT_MATCH, e.evalAnswers().exactMatch(),
                Metric.TRAIN_EXACT_MATCH, e.trainAnswers().exactMatch(), Metric.EVAL_LOSS, e.evalLoss().loss()));
    }
}
