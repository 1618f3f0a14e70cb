package dev.ragtune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * What a run measured, written as {@code metrics.json} beside the adapter.
 *
 * @param lossCurve        one entry per optimizer step
 * @param tokensPerSecond  input tokens (padding excluded) per second of training
 * @param trainableTokens  assistant tokens the loss was computed on, per epoch
 * @param skippedSteps     optimizer steps skipped because their gradients were not finite
 */
public record TrainingMetrics(List<StepRecord> lossCurve, double tokensPerSecond, long trainableParameters,
                              Hyperparameters hyperparameters, String baseModelHash, double wallSeconds,
                              String device, int examples, int truncatedExamples, long tokensPerEpoch,
                              long trainableTokens, int skippedSteps) {

    public record StepRecord(int step, int epoch, double loss, double learningRate) {
    }

    public TrainingMetrics {
        lossCurve = List.copyOf(lossCurve);
    }

    public double finalLoss() {
        return lossCurve.isEmpty() ? Double.NaN : lossCurve.get(lossCurve.size() - 1).loss();
    }

    public TrainingMetrics withBase(String hash, double wall) {
        return new TrainingMetrics(lossCurve, tokensPerSecond, trainableParameters, hyperparameters, hash, wall,
                device, examples, truncatedExamples, tokensPerEpoch, trainableTokens, skippedSteps);
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("final_loss", finalLoss());
        o.put("tokens_per_second", tokensPerSecond);
        o.put("trainable_parameters", trainableParameters);
        o.put("wall_seconds", wallSeconds);
        o.put("device", device);
        o.put("base_model_hash", baseModelHash);
        o.put("examples", examples);
        o.put("truncated_examples", truncatedExamples);
        o.put("tokens_per_epoch", tokensPerEpoch);
        o.put("trainable_tokens_per_epoch", trainableTokens);
        o.put("skipped_steps", skippedSteps);
        o.set("hyperparameters", hyperparameters.toJson(json));
        var curve = o.putArray("loss_curve");
        for (StepRecord s : lossCurve) {
            curve.addObject().put("step", s.step()).put("epoch", s.epoch()).put("loss", s.loss()).put("lr", s.learningRate());
        }
        return o;
    }
}
