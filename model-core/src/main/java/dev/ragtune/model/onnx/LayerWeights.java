package dev.ragtune.model.onnx;

import dev.ragtune.model.lora.OnnxLoraNames;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.WeightNames;

import java.util.Set;

/** Puts one layer's projections into the graph and hands out their names. */
final class LayerWeights {
    private final GraphBuilder g;
    private final Checkpoint checkpoint;
    private final int layer;
    private final Set<LinearModule> loraTargets;

    LayerWeights(GraphBuilder g, Checkpoint checkpoint, int layer, Set<LinearModule> loraTargets) {
        this.g = g;
        this.checkpoint = checkpoint;
        this.layer = layer;
        this.loraTargets = loraTargets;
    }

    String norm(String hfName) {
        return norm(hfName, checkpoint.config().hiddenSize());
    }

    /** A norm's scale of {@code dim} entries (hidden size, or head_dim for q/k norms): {@code w}, or Gemma's {@code 1 + w}. */
    String norm(String hfName, int dim) {
        return g.weight(hfName, checkpoint.config().spec().normScale(checkpoint.weights().floats(hfName)), dim);
    }

    /** {@code y = x Wᵀ + b + LoRA(x)} for one of the layer's projections. */
    String linear(String x, LinearModule m) {
        ModelConfig c = checkpoint.config();
        int in = m.inFeatures(c);
        int out = m.outFeatures(c);
        String name = WeightNames.linear(layer, m);
        String weightT = g.weight(name + ".T", transpose(checkpoint.weights().floats(name), out, in), in, out);
        String bias = null;
        if (m.hasBias(c)) {
            String b = WeightNames.bias(layer, m);
            bias = g.weight(b, checkpoint.weights().floats(b), out);
        }
        String loraA = null;
        String loraB = null;
        if (loraTargets.contains(m)) {
            loraA = OnnxLoraNames.a(layer, m);
            loraB = OnnxLoraNames.b(layer, m);
            // each module has its own symbolic rank: an adapter may target only some modules
            String rank = "lora_rank_" + layer + "_" + m.shortName();
            g.inputWithEmptyDefault(loraA, new Object[] {in, rank}, new long[] {in, 0});
            g.inputWithEmptyDefault(loraB, new Object[] {rank, out}, new long[] {0, out});
        }
        return LoraLinearOp.apply(g, x, weightT, bias, loraA, loraB);
    }

    /** {@code [rows, cols]} row-major to {@code [cols, rows]}. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[base + c];
            }
        }
        return t;
    }
}
