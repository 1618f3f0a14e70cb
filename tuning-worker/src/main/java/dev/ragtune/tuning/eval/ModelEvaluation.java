package dev.ragtune.tuning.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.manifest.MetricNames;

/**
 * One model variant (base, production or candidate) measured on a job's evaluation data.
 *
 * @param evalLoss  loss (and perplexity) on the eval split
 * @param evalAnswers greedy answers on the eval split: generalisation
 * @param trainAnswers greedy answers on the fixed sample of the training split: knowledge injected and retained
 */
public record ModelEvaluation(LossResult evalLoss, AnswerScores evalAnswers, AnswerScores trainAnswers) {

    /** The figures under the names the registry manifest uses ({@link MetricNames}: {@code eval_loss}, {@code exact_match}, …). */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        put(o, MetricNames.EVAL_LOSS, evalLoss.loss());
        put(o, MetricNames.PERPLEXITY, evalLoss.perplexity());
        put(o, MetricNames.EXACT_MATCH, evalAnswers.exactMatch());
        put(o, MetricNames.EVAL_TOKEN_F1, evalAnswers.tokenF1());
        put(o, MetricNames.TRAIN_EXACT_MATCH, trainAnswers.exactMatch());
        put(o, MetricNames.TRAIN_TOKEN_F1, trainAnswers.tokenF1());
        o.put(MetricNames.EVAL_EXAMPLES, evalAnswers.examples());
        o.put(MetricNames.EVAL_TARGET_TOKENS, evalLoss.targetTokens());
        o.put(MetricNames.TRAIN_SAMPLE_EXAMPLES, trainAnswers.examples());
        return o;
    }

    /** NaN (nothing measured, e.g. an empty eval split) is written as JSON null: the gate then ignores it. */
    private static void put(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
