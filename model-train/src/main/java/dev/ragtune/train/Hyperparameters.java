package dev.ragtune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.LinearModule;

import java.util.List;

/** The concrete values a run uses, after {@link HyperparameterDefaults} filled in what was not set. */
public record Hyperparameters(int rank, double alpha, int epochs, double learningRate, int maxSeqLen,
                              List<LinearModule> targets, long seed, int batchSize, int gradAccumulation,
                              double warmupRatio, double weightDecay, double maxGradNorm) {

    public Hyperparameters {
        targets = List.copyOf(targets);
        require(rank > 0, "rank must be positive, got " + rank);
        require(alpha > 0, "alpha must be positive, got " + alpha);
        require(epochs > 0, "epochs must be positive, got " + epochs);
        require(learningRate > 0 && learningRate < 1, "learning rate must be in (0, 1), got " + learningRate);
        require(maxSeqLen >= 2, "max sequence length must be at least 2, got " + maxSeqLen);
        require(!targets.isEmpty(), "at least one target module is needed");
        require(batchSize > 0, "batch size must be positive, got " + batchSize);
        require(gradAccumulation > 0, "gradient accumulation must be positive, got " + gradAccumulation);
        require(warmupRatio >= 0 && warmupRatio < 1, "warm-up ratio must be in [0, 1), got " + warmupRatio);
        require(weightDecay >= 0, "weight decay must not be negative, got " + weightDecay);
        require(maxGradNorm > 0, "max gradient norm must be positive, got " + maxGradNorm);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("rank", rank);
        o.put("alpha", alpha);
        o.put("epochs", epochs);
        o.put("learning_rate", learningRate);
        o.put("max_seq_len", maxSeqLen);
        var t = o.putArray("target_modules");
        targets.forEach(m -> t.add(m.shortName()));
        o.put("seed", seed);
        o.put("batch_size", batchSize);
        o.put("grad_accumulation", gradAccumulation);
        o.put("warmup_ratio", warmupRatio);
        o.put("weight_decay", weightDecay);
        o.put("max_grad_norm", maxGradNorm);
        return o;
    }
}
