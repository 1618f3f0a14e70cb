package dev.ragtune.train;

import dev.ragtune.model.checkpoint.LinearModule;

import java.nio.file.Path;
import java.util.List;

/**
 * What a user may set for a training run. Every field except {@code seed} may be null, meaning
 * "let {@link HyperparameterDefaults} choose from the data"; {@link #defaults()} sets none.
 *
 * @param rank              LoRA rank r
 * @param alpha             LoRA alpha (scale = alpha / r)
 * @param epochs            passes over the data
 * @param learningRate      peak learning rate of AdamW
 * @param maxSeqLen         longer conversations are cut to this many tokens
 * @param targets           target modules
 * @param seed              seeds adapter initialisation and data order
 * @param initFrom          a PEFT adapter folder to continue training from (its r, alpha, targets)
 * @param batchSize         conversations per micro-batch
 * @param gradAccumulation  micro-batches per optimizer step
 * @param warmupRatio       fraction of steps with linearly rising learning rate
 * @param weightDecay       AdamW's decoupled weight decay
 * @param maxGradNorm       global gradient-norm clip
 */
public record TrainingOptions(Integer rank, Double alpha, Integer epochs, Double learningRate, Integer maxSeqLen,
                              List<LinearModule> targets, long seed, Path initFrom, Integer batchSize,
                              Integer gradAccumulation, Double warmupRatio, Double weightDecay, Double maxGradNorm) {

    public static TrainingOptions defaults() {
        return new TrainingOptions(null, null, null, null, null, null, 42L, null, null, null, null, null, null);
    }

    public TrainingOptions withRank(Integer v) {
        return new TrainingOptions(v, alpha, epochs, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withAlpha(Double v) {
        return new TrainingOptions(rank, v, epochs, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withEpochs(Integer v) {
        return new TrainingOptions(rank, alpha, v, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withLearningRate(Double v) {
        return new TrainingOptions(rank, alpha, epochs, v, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withMaxSeqLen(Integer v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, v, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withTargets(List<LinearModule> v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, v, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withSeed(long v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, v, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withInitFrom(Path v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, seed, v, batchSize, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withBatchSize(Integer v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, seed, initFrom, v, gradAccumulation, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withGradAccumulation(Integer v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, v, warmupRatio, weightDecay, maxGradNorm);
    }

    public TrainingOptions withWarmupRatio(Double v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, v, weightDecay, maxGradNorm);
    }

    public TrainingOptions withWeightDecay(Double v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, v, maxGradNorm);
    }

    public TrainingOptions withMaxGradNorm(Double v) {
        return new TrainingOptions(rank, alpha, epochs, learningRate, maxSeqLen, targets, seed, initFrom, batchSize, gradAccumulation, warmupRatio, weightDecay, v);
    }
}
