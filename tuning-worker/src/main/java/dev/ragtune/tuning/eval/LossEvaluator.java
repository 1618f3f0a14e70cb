package dev.ragtune.tuning.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ragtune.model.tokenize.ModelTokenizer;
import dev.ragtune.model.tokenize.TrainingSequence;
import dev.ragtune.train.LlamaModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Loss and perplexity of a {@link LlamaModel} (with whatever adapter is installed in it, or none)
 * on conversations, through the same DJL forward the trainer uses: position {@code t} predicts
 * token {@code t+1} wherever that token belongs to an assistant turn; prompt and system tokens are
 * not scored. Conversations longer than {@code maxSeqLen} are cut (as training cuts them).
 * One conversation per forward; no gradients are recorded outside a gradient collector.
 */
public final class LossEvaluator {
    private final LlamaModel model;
    private final ModelTokenizer tokenizer;
    private final int maxSeqLen;

    public LossEvaluator(LlamaModel model, ModelTokenizer tokenizer, int maxSeqLen) {
        if (maxSeqLen < 2) {
            throw new IllegalArgumentException("max sequence length must be at least 2, got " + maxSeqLen);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
    }

    public LossResult evaluate(List<EvalExample> examples) {
        double nll = 0;
        long targets = 0;
        for (EvalExample e : examples) {
            TrainingSequence seq = tokenizer.encodeForTraining(e.conversation());
            int n = Math.min(seq.length(), maxSeqLen);
            List<Long> rows = new ArrayList<>();
            List<Long> labels = new ArrayList<>();
            for (int t = 0; t + 1 < n; t++) {
                if (seq.trainable()[t + 1]) {
                    rows.add((long) t);
                    labels.add((long) seq.ids()[t + 1]);
                }
            }
            if (rows.isEmpty()) {
                continue;
            }
            long[] ids = new long[n];
            for (int t = 0; t < n; t++) {
                ids[t] = seq.ids()[t];
            }
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray hidden = model.hidden(scope.create(ids, new Shape(1, n)));          // [1, n, H]
                NDArray flat = hidden.reshape(-1, model.config().hiddenSize());              // [n, H]
                NDArray picked = flat.get(scope.create(rows.stream().mapToLong(Long::longValue).toArray()));
                NDArray logp = model.project(picked).logSoftmax(-1);                         // [k, V]
                NDArray target = scope.create(labels.stream().mapToLong(Long::longValue).toArray(), new Shape(labels.size(), 1));
                nll -= logp.gather(target, 1).sum().getFloat();
            }
            targets += rows.size();
        }
        return LossResult.of(nll, targets, examples.size());
    }
}
