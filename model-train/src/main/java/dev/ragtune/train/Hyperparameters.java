package dev.ragtune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.LinearModule;

import java.util.List;

/** The concrete values a run uses, after {@link HyperparameterDefaults} filled in what was not set. */
public record Hyperparameters(int rank, double alpha, int epochs, double learningRate, int maxSeqLen,
                              List<LinearModule> targets, long seed, int batchSize, int gradAccumulation,
                              double warmupRatio, double weightDecay, double maxGradNorm) {

    /**
     * The range of one hyperparameter, by its API name ({@code TrainingOptions}, the jobs API): {@code min}/{@code max}
     * inclusive unless {@code minExclusive}/{@code maxExclusive}; {@code integral}: a whole number. The bounds keep a
     * run finite (step counts within an int, memory within reason) and the optimizer meaningful.
     */
    public record Range(String name, boolean integral, double min, boolean minExclusive, double max, boolean maxExclusive) {

        public boolean contains(double v) {
            return Double.isFinite(v) && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max)
                    && (!integral || v == Math.rint(v));
        }

        /** "between 1 and 1000", "in (0, 1)". */
        public String describe() {
            if (integral) {
                return "a whole number between " + (long) min + " and " + (long) max;
            }
            return "a number in " + (minExclusive ? "(" : "[") + fmt(min) + ", " + fmt(max) + (maxExclusive ? ")" : "]");
        }

        /** @throws IllegalArgumentException naming the hyperparameter, its value and its range */
        public void check(double v) {
            if (!contains(v)) {
                throw new IllegalArgumentException("hyperparameter " + name + " must be " + describe() + ", got " + fmt(v));
            }
        }

        private static String fmt(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
    }

    /** Every hyperparameter's range, in {@code TrainingOptions} order. {@code seed} is any long. */
    public static final List<Range> RANGES = List.of(
            new Range("rank", true, 1, false, 256, false),
            // a huge alpha makes the run diverge, which the trainer detects and fails cleanly (the tests force a
            // diverging job with 1e20): the bound only keeps the value finite
            new Range("alpha", false, 0, true, 1e30, false),
            new Range("epochs", true, 1, false, 1000, false),
            new Range("learningRate", false, 0, true, 1, true),
            new Range("maxSeqLen", true, 2, false, 32768, false),
            new Range("seed", true, -0x1p63, false, 0x1p63, false),
            new Range("batchSize", true, 1, false, 1024, false),
            new Range("gradAccumulation", true, 1, false, 1024, false),
            new Range("warmupRatio", false, 0, false, 1, true),
            new Range("weightDecay", false, 0, false, 10, false),
            new Range("maxGradNorm", false, 0, true, 1e6, false));

    /** The range of a hyperparameter by its API name, or null for an unknown name. */
    public static Range range(String name) {
        return RANGES.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    public Hyperparameters {
        targets = List.copyOf(targets);
        range("rank").check(rank);
        range("alpha").check(alpha);
        range("epochs").check(epochs);
        range("learningRate").check(learningRate);
        range("maxSeqLen").check(maxSeqLen);
        require(!targets.isEmpty(), "at least one target module is needed");
        range("batchSize").check(batchSize);
        range("gradAccumulation").check(gradAccumulation);
        range("warmupRatio").check(warmupRatio);
        range("weightDecay").check(weightDecay);
        range("maxGradNorm").check(maxGradNorm);
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
