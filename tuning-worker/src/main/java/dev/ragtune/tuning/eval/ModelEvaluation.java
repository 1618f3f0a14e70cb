package dev.ragtune.tuning.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One model variant (base, production or candidate) measured on a job's evaluation data.
 *
 * @param evalLoss  loss (and perplexity) on the eval split
 * @param evalAnswers greedy answers on the eval split: generalisation
 * @param trainAnswers greedy answers on the fixed sample of the training split: knowledge injected and retained
 */
public record ModelEvaluation(LossResult evalLoss, AnswerScores evalAnswers, AnswerScores trainAnswers) {

    /** The figures under the names the registry manifest uses ({@code eval_loss}, {@code exact_match}, …). */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        put(o, "eval_loss", evalLoss.loss());
        put(o, "perplexity", evalLoss.perplexity());
        put(o, "exact_match", evalAnswers.exactMatch());
        put(o, "eval_token_f1", evalAnswers.tokenF1());
        put(o, "train_exact_match", trainAnswers.exactMatch());
        put(o, "train_token_f1", trainAnswers.tokenF1());
        o.put("eval_examples", evalAnswers.examples());
        o.put("eval_target_tokens", evalLoss.targetTokens());
        o.put("train_sample_examples", trainAnswers.examples());
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
