package dev.ragtune.tuning.publish;

import dev.ragtune.tuning.eval.ModelEvaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a new version gets the {@code staging} alias: it must be at least as good as the current
 * production version, both measured in the same job on the same data, on both exact-match figures
 * (eval split and training sample; higher is better) and not worse on eval loss (lower is better).
 * Equal is not worse. A figure that one side lacks (NaN: e.g. no eval records) is not compared.
 * With no production version the candidate always gets {@code staging}.
 */
public final class StagingRule {
    public static final String ALIAS = "staging";

    private StagingRule() {
    }

    public record Decision(boolean staging, String reason) {
    }

    public static Decision decide(ModelEvaluation candidate, ModelEvaluation production) {
        if (production == null) {
            return new Decision(true, "no production version to compare with");
        }
        List<String> worse = new ArrayList<>();
        higherIsBetter("exact_match", candidate.evalAnswers().exactMatch(), production.evalAnswers().exactMatch(), worse);
        higherIsBetter("train_exact_match", candidate.trainAnswers().exactMatch(), production.trainAnswers().exactMatch(), worse);
        double cl = candidate.evalLoss().loss();
        double pl = production.evalLoss().loss();
        if (Double.isFinite(cl) && Double.isFinite(pl) && cl > pl) {
            worse.add(String.format(Locale.ROOT, "eval_loss %.4f > production %.4f", cl, pl));
        }
        return worse.isEmpty() ? new Decision(true, "at least as good as production on exact_match, train_exact_match and eval_loss")
                : new Decision(false, "worse than production: " + String.join(", ", worse));
    }

    private static void higherIsBetter(String name, double candidate, double production, List<String> worse) {
        if (Double.isFinite(candidate) && Double.isFinite(production) && candidate < production) {
            worse.add(String.format(Locale.ROOT, "%s %.4f < production %.4f", name, candidate, production));
        }
    }
}
