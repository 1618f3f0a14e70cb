package dev.ragtune.tuning.eval;

import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.ServingModel;

import java.util.List;

/**
 * Greedy answers through ONNX Runtime, exactly as the rag-service serves them: the exported graph
 * of the base checkpoint, with an {@link OrtAdapter} (loaded from the packaged
 * {@code adapter.onnx_adapter}) or none for the base model. Generation stops at an end-of-turn
 * token or after the reference's token count plus {@link #SLACK_TOKENS} new tokens, capped at
 * {@code maxNewTokens}: enough to get every right answer out whole and to see a wrong one.
 */
public final class GreedyAnswerer {
    public static final int SLACK_TOKENS = 8;
    private final ServingModel serving;
    private final int maxNewTokens;

    public GreedyAnswerer(ServingModel serving, int maxNewTokens) {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be positive, got " + maxNewTokens);
        }
        this.serving = serving;
        this.maxNewTokens = maxNewTokens;
    }

    public String answer(EvalExample example, OrtAdapter adapter) {
        int[] prompt = serving.tokenizer().encodeChatPrompt(example.prompt());
        int budget = Math.min(maxNewTokens, serving.tokenizer().encode(example.reference()).length + SLACK_TOKENS);
        return serving.generator().complete(prompt, budget, adapter).trim();
    }

    /** Answers every example and scores the answers against the references. */
    public AnswerScores score(List<EvalExample> examples, OrtAdapter adapter) {
        AnswerScores.Builder b = new AnswerScores.Builder();
        for (EvalExample e : examples) {
            b.add(answer(e, adapter), e.reference());
        }
        return b.build();
    }
}
