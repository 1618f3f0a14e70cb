package dev.ragtune.train;

import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;

import java.util.List;

/**
 * Chooses what the user did not set, from the data, so that {@code ragtune train} with no flags
 * works for the common case of teaching a model a few dozen to a few thousand facts.
 *
 * <p>The rules and why:
 * <ul>
 *   <li><b>rank 16, alpha = 2·rank, all seven projections.</b> Knowledge injection needs capacity
 *       in the MLPs as well as in attention (facts live mostly in the MLPs); rank 16 on all
 *       modules is the usual QLoRA-paper setting, and alpha = 2r (scale 2) makes B's updates
 *       count without blowing up at the start.</li>
 *   <li><b>learning rate {@value #BASE_LR} · √(16 / r).</b> With Adam every entry of B moves by
 *       about lr per step, and {@code ΔW x = scale · B (A x)} sums r such terms, so the change of
 *       the output grows like √r · lr. Scaling lr by 1/√r keeps the size of a step the same for
 *       every rank. The base value was chosen on the demo model: 5e-3 and 1e-2 plateaued at a
 *       higher loss (4.1 and 4.4 after 80 steps, against 3.5 for 2e-3), 1e-3 learned no faster.
 *       Pretrained models take the same order of magnitude for LoRA (1e-4 … 2e-3 is common).</li>
 *   <li><b>batch size</b> grows with the data: {@code clamp(N / 10, 1, 8)} conversations per step, so
 *       a 20-example set still gets ten optimizer steps per epoch, and large sets use batches
 *       of 8. No gradient accumulation by default. On the demo model, 20 facts reached 20/20
 *       with batch 2 and 19/20 with batch 4 for the same number of epochs: for memorisation
 *       more, smaller steps beat fewer, larger ones.</li>
 *   <li><b>epochs from the dataset size.</b> Memorising a fact takes a number of optimizer
 *       updates that barely depends on how many other facts there are, while a large set
 *       also generalises and must not be over-fitted. So the run aims at {@value #TARGET_STEPS}
 *       optimizer steps, {@code epochs = ceil(TARGET_STEPS / steps_per_epoch)}, bounded to
 *       [{@value #MIN_EPOCHS}, {@value #MAX_EPOCHS}]: 20 examples → {@value #MAX_EPOCHS} epochs
 *       (640 steps, under a minute on two CPU cores for the demo model), 1000 examples → 6,
 *       5000 → {@value #MIN_EPOCHS}. Measured on the demo model (20 facts, batch 2, lr 2e-3):
 *       16 epochs leave the loss at 2.4 and no answer right; 64 epochs reach loss 1.0 (the floor
 *       its random output head allows) and every answer.</li>
 *   <li><b>warm-up 5 %, cosine decay, weight decay 0, gradient norm clipped at 1</b>: the common
 *       LoRA recipe; weight decay would pull the adapter back towards the base model, which
 *       works against memorising facts.</li>
 *   <li><b>max sequence length</b>: the longest conversation, capped at 2048 and at the model's
 *       {@code max_position_embeddings}, so nothing is cut unless it must be.</li>
 * </ul>
 */
public final class HyperparameterDefaults {
    public static final int RANK = 16;
    public static final double BASE_LR = 2e-3;
    public static final int TARGET_STEPS = 640;
    public static final int MIN_EPOCHS = 3;
    public static final int MAX_EPOCHS = 64;

    private HyperparameterDefaults() {
    }

    /**
     * @param examples       number of training conversations
     * @param longestTokens  longest tokenized conversation
     */
    public static Hyperparameters resolve(TrainingOptions o, ModelConfig model, int examples, int longestTokens) {
        int rank = o.rank() != null ? o.rank() : RANK;
        double alpha = o.alpha() != null ? o.alpha() : 2.0 * rank;
        List<LinearModule> targets = o.targets() != null && !o.targets().isEmpty() ? o.targets() : model.projections();
        double lr = o.learningRate() != null ? o.learningRate() : BASE_LR * Math.sqrt(16.0 / rank);
        int maxSeqLen = o.maxSeqLen() != null ? o.maxSeqLen()
                : Math.max(2, Math.min(longestTokens, Math.min(2048, model.maxPositionEmbeddings())));
        int batch = o.batchSize() != null ? o.batchSize() : Math.max(1, Math.min(8, examples / 10));
        int accumulation = o.gradAccumulation() != null ? o.gradAccumulation() : 1;
        int stepsPerEpoch = (examples + batch * accumulation - 1) / (batch * accumulation);
        int epochs = o.epochs() != null ? o.epochs()
                : Math.max(MIN_EPOCHS, Math.min(MAX_EPOCHS, (TARGET_STEPS + stepsPerEpoch - 1) / stepsPerEpoch));
        return new Hyperparameters(rank, alpha, epochs, lr, maxSeqLen, targets, o.seed(), batch, accumulation,
                o.warmupRatio() != null ? o.warmupRatio() : 0.05,
                o.weightDecay() != null ? o.weightDecay() : 0.0,
                o.maxGradNorm() != null ? o.maxGradNorm() : 1.0);
    }
}
