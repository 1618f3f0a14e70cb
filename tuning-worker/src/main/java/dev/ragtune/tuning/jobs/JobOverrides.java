package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.train.Hyperparameters;
import dev.ragtune.train.TrainingOptions;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Per-job settings given with {@code POST /v1/jobs}: {@code {"adapter": "…", "fromScratch": true,
 * "hyperparameters": {"learningRate": 1e-3, "epochs": 8, …}}}. Hyperparameter names are those of
 * {@link TrainingOptions}: {@code rank, alpha, epochs, learningRate, maxSeqLen, seed, batchSize,
 * gradAccumulation, warmupRatio, weightDecay, maxGradNorm}. Anything else, or a value of the wrong
 * type, is a clear {@link IllegalArgumentException} (400). Every value is checked against its range
 * ({@link Hyperparameters#RANGES}, the same ranges the run itself enforces) when the job is requested: a
 * value out of range is a 400 naming the hyperparameter, the job is not created.
 */
public final class JobOverrides {
    public static final Set<String> HYPERPARAMETERS = Set.of("rank", "alpha", "epochs", "learningRate", "maxSeqLen", "seed",
            "batchSize", "gradAccumulation", "warmupRatio", "weightDecay", "maxGradNorm");
    public static final Set<String> FIELDS = Set.of("hyperparameters", "fromScratch");

    private JobOverrides() {
    }

    /** Validates and returns the canonical overrides object stored with the job. */
    public static ObjectNode validate(ObjectNode o) {
        ObjectNode out = o == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : o.deepCopy();
        for (Iterator<String> it = out.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown job setting '" + f + "'; expected " + FIELDS);
            }
        }
        if (out.has("fromScratch") && !out.get("fromScratch").isBoolean()) {
            throw new IllegalArgumentException("fromScratch must be true or false");
        }
        JsonNode hp = out.get("hyperparameters");
        if (hp != null && !hp.isNull()) {
            if (!hp.isObject()) {
                throw new IllegalArgumentException("hyperparameters must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = hp.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!HYPERPARAMETERS.contains(e.getKey())) {
                    throw new IllegalArgumentException("unknown hyperparameter '" + e.getKey() + "'; expected one of "
                            + new java.util.TreeSet<>(HYPERPARAMETERS));
                }
                if (!e.getValue().isNumber()) {
                    throw new IllegalArgumentException("hyperparameter " + e.getKey() + " must be a number, got " + e.getValue());
                }
                boolean integral = Set.of("rank", "epochs", "maxSeqLen", "seed", "batchSize", "gradAccumulation").contains(e.getKey());
                if (integral && !e.getValue().canConvertToExactIntegral()) {
                    throw new IllegalArgumentException("hyperparameter " + e.getKey() + " must be a whole number, got " + e.getValue());
                }
                if (!Double.isFinite(e.getValue().asDouble())) {
                    throw new IllegalArgumentException("hyperparameter " + e.getKey() + " must be finite");
                }
                if (integral && !e.getValue().canConvertToLong()) {
                    throw new IllegalArgumentException("hyperparameter " + e.getKey() + " is out of range: " + e.getValue());
                }
                Hyperparameters.range(e.getKey()).check(e.getValue().asDouble());
            }
        }
        return out;
    }

    public static boolean fromScratch(ObjectNode overrides, boolean byDefault) {
        JsonNode v = overrides == null ? null : overrides.get("fromScratch");
        return v == null || v.isNull() ? byDefault : v.asBoolean();
    }

    /** {@code base} with the job's hyperparameter overrides applied. */
    public static TrainingOptions apply(ObjectNode overrides, TrainingOptions base) {
        JsonNode hp = overrides == null ? null : overrides.get("hyperparameters");
        if (hp == null || !hp.isObject()) {
            return base;
        }
        TrainingOptions o = base;
        if (hp.has("rank")) o = o.withRank(hp.get("rank").asInt());
        if (hp.has("alpha")) o = o.withAlpha(hp.get("alpha").asDouble());
        if (hp.has("epochs")) o = o.withEpochs(hp.get("epochs").asInt());
        if (hp.has("learningRate")) o = o.withLearningRate(hp.get("learningRate").asDouble());
        if (hp.has("maxSeqLen")) o = o.withMaxSeqLen(hp.get("maxSeqLen").asInt());
        if (hp.has("seed")) o = o.withSeed(hp.get("seed").asLong());
        if (hp.has("batchSize")) o = o.withBatchSize(hp.get("batchSize").asInt());
        if (hp.has("gradAccumulation")) o = o.withGradAccumulation(hp.get("gradAccumulation").asInt());
        if (hp.has("warmupRatio")) o = o.withWarmupRatio(hp.get("warmupRatio").asDouble());
        if (hp.has("weightDecay")) o = o.withWeightDecay(hp.get("weightDecay").asDouble());
        if (hp.has("maxGradNorm")) o = o.withMaxGradNorm(hp.get("maxGradNorm").asDouble());
        return o;
    }
}
