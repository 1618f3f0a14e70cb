package dev.ragtune.model.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.RotaryFrequencies;
import dev.ragtune.model.checkpoint.WeightNames;

import java.util.Map;
import java.util.Set;

import static dev.ragtune.model.onnx.GraphBuilder.FLOAT;
import static dev.ragtune.model.onnx.GraphBuilder.INT64;
import static dev.ragtune.model.onnx.GraphBuilder.attr;

/**
 * The whole decoder as one ONNX graph with a KV cache.
 *
 * <pre>
 * inputs:  input_ids [B, S] int64, attention_mask [B, T] int64 (T = past + S), position_ids [B, S] int64,
 *          past_key_values.{i}.key|value [B, nKV, past, D], lora.layers.{i}.{module}.A|B (default rank 0)
 * outputs: logits [B, S, V], present.{i}.key|value [B, nKV, T, D]
 * </pre>
 */
final class DecoderGraph {
    /** Longest context the rotary tables cover; longer prompts are refused by the engine. */
    static final int MAX_ROTARY_POSITIONS = 32768;

    private DecoderGraph() {
    }

    static ModelProto build(GraphBuilder g, Checkpoint checkpoint, Set<LinearModule> loraTargets,
                            Map<String, String> metadata) {
        ModelConfig c = checkpoint.config();
        g.input("input_ids", INT64, "batch_size", "sequence_length");
        g.input("attention_mask", INT64, "batch_size", "total_sequence_length");
        g.input("position_ids", INT64, "batch_size", "sequence_length");
        for (int i = 0; i < c.numLayers(); i++) {
            g.input("past_key_values." + i + ".key", FLOAT, "batch_size", c.numKvHeads(), "past_sequence_length", c.headDim());
            g.input("past_key_values." + i + ".value", FLOAT, "batch_size", c.numKvHeads(), "past_sequence_length", c.headDim());
        }

        // Embedding lookup: [B, S] → [B, S, H]
        String embed = g.weight(WeightNames.EMBED, checkpoint.weights().floats(WeightNames.EMBED), c.vocabSize(), c.hiddenSize());
        String hidden = g.op("Gather", new String[] {embed, "input_ids"}, attr("axis", 0L));
        if (c.spec().scaleEmbeddings()) { // Gemma: × √H, the constant in float32
            hidden = g.op("Mul", new String[] {hidden, g.scalar((float) Math.sqrt(c.hiddenSize()))});
        }

        // Rotary tables gathered at the positions: [B, S, R] → [B, 1, S, R] (R = rotary dimension)
        int positions = Math.min(c.maxPositionEmbeddings(), MAX_ROTARY_POSITIONS);
        String[] cosSin = rotaryRows(g, c, positions, "rotary", false, false);
        if (c.ropeScaling() != null && c.ropeScaling().isLongrope()) {
            // longrope: the long factors once the whole sequence (past + new) exceeds original_max_position_embeddings
            String[] longRows = rotaryRows(g, c, positions, "rotary.long", true, false);
            String total = g.op("Gather", new String[] {g.op("Shape", new String[] {"attention_mask"}), g.scalarInt(1)}, attr("axis", 0L));
            String useLong = g.op("Greater", new String[] {total, g.scalarInt(c.ropeScaling().originalMaxPositionEmbeddings())});
            cosSin = new String[] {g.op("Where", new String[] {useLong, longRows[0], cosSin[0]}),
                    g.op("Where", new String[] {useLong, longRows[1], cosSin[1]})};
        }
        // Gemma's local (sliding-window) layers: their own base, no scaling
        String[] localCosSin = java.util.stream.IntStream.range(0, c.numLayers()).anyMatch(c::localRope)
                ? rotaryRows(g, c, positions, "rotary.local", false, true) : null;

        Map<Integer, String> masks = new java.util.HashMap<>(); // sliding window (0: none) → additive mask

        for (int i = 0; i < c.numLayers(); i++) {
            LayerWeights w = new LayerWeights(g, checkpoint, i, loraTargets);
            String mask = masks.computeIfAbsent(c.slidingWindow(i), window -> causalPaddingMask(g, window));
            String[] rope = c.localRope(i) ? localCosSin : cosSin;
            // h = x + [postNorm](attn(inNorm(x)));  y = h + [postFfNorm](mlp(mlpNorm(h)))   ([…]: sandwich-norm families)
            String normed = RmsNormOp.apply(g, hidden, w.norm(WeightNames.inputNorm(i)), c.rmsNormEps());
            AttentionBlock.Output attn = AttentionBlock.apply(g, w, c, i, normed, rope[0], rope[1], mask);
            String attnOut = attn.hidden();
            String mlpNorm = WeightNames.postAttentionNorm(i);
            if (c.spec().sandwichNorms()) {
                attnOut = RmsNormOp.apply(g, attnOut, w.norm(WeightNames.postAttentionNorm(i)), c.rmsNormEps());
                mlpNorm = WeightNames.preFeedforwardNorm(i);
            }
            hidden = g.op("Add", new String[] {hidden, attnOut});
            String normed2 = RmsNormOp.apply(g, hidden, w.norm(mlpNorm), c.rmsNormEps());
            String mlpOut = MlpBlock.apply(g, w, c, normed2);
            if (c.spec().sandwichNorms()) {
                mlpOut = RmsNormOp.apply(g, mlpOut, w.norm(WeightNames.postFeedforwardNorm(i)), c.rmsNormEps());
            }
            hidden = g.op("Add", new String[] {hidden, mlpOut});
            g.output(attn.presentKey(), FLOAT, "batch_size", c.numKvHeads(), "total_sequence_length", c.headDim());
            g.output(attn.presentValue(), FLOAT, "batch_size", c.numKvHeads(), "total_sequence_length", c.headDim());
        }

        String finalNorm = g.weight(WeightNames.FINAL_NORM, c.spec().normScale(checkpoint.weights().floats(WeightNames.FINAL_NORM)),
                c.hiddenSize());
        hidden = RmsNormOp.apply(g, hidden, finalNorm, c.rmsNormEps());

        // LM head as Gemm with transB so a tied embedding is stored once: [B·S, H] × [V, H]ᵀ → [B, S, V]
        String head = c.tieWordEmbeddings() ? embed
                : g.weight(WeightNames.LM_HEAD, checkpoint.weights().floats(WeightNames.LM_HEAD), c.vocabSize(), c.hiddenSize());
        String flat = g.op("Reshape", new String[] {hidden, g.ints(-1, c.hiddenSize())});
        String flatLogits = g.op("Gemm", new String[] {flat, head}, attr("transB", 1L));
        if (c.finalLogitSoftcapping() > 0) {
            flatLogits = SoftcapOp.apply(g, flatLogits, c.finalLogitSoftcapping());
        }
        String logitsShape = g.op("Concat", new String[] {g.op("Shape", new String[] {"input_ids"}), g.ints(c.vocabSize())},
                attr("axis", 0L));
        g.op("Reshape", "logits", new String[] {flatLogits, logitsShape});
        g.output("logits", FLOAT, "batch_size", "sequence_length", c.vocabSize());
        // outputs in the conventional order: logits first
        return reorderLogitsFirst(g.build(metadata));
    }

    /** {cos, sin} rows at {@code position_ids}, {@code [B, 1, S, R]}. */
    private static String[] rotaryRows(GraphBuilder g, ModelConfig c, int positions, String name, boolean longFactors,
                                       boolean local) {
        float[][] tables = RotaryFrequencies.tables(c, positions, longFactors, local);
        String cosTable = g.exactWeight(name + ".cos", tables[0], positions, c.rotaryDim());
        String sinTable = g.exactWeight(name + ".sin", tables[1], positions, c.rotaryDim());
        String cos = g.op("Unsqueeze", new String[] {g.op("Gather", new String[] {cosTable, "position_ids"}, attr("axis", 0L)), g.ints(1)});
        String sin = g.op("Unsqueeze", new String[] {g.op("Gather", new String[] {sinTable, "position_ids"}, attr("axis", 0L)), g.ints(1)});
        return new String[] {cos, sin};
    }

    /**
     * Additive mask {@code [B, 1, 1, S, T]}: 0 where query {@code s} (absolute index q = past + s) may
     * see key {@code t} (t ≤ q, with a sliding window also t > q - window, and attention_mask[b, t] = 1),
     * a very negative number elsewhere.
     */
    private static String causalPaddingMask(GraphBuilder g, int window) {
        String s = g.op("Gather", new String[] {g.op("Shape", new String[] {"input_ids"}), g.scalarInt(1)}, attr("axis", 0L));
        String t = g.op("Gather", new String[] {g.op("Shape", new String[] {"attention_mask"}), g.scalarInt(1)}, attr("axis", 0L));
        String past = g.op("Sub", new String[] {t, s});
        String zero = g.scalarInt(0);
        String one = g.scalarInt(1);
        String queryIndex = g.op("Unsqueeze", new String[] {
                g.op("Add", new String[] {g.op("Range", new String[] {zero, s, one}), past}), g.ints(1)});     // [S, 1]
        String keyIndex = g.op("Unsqueeze", new String[] {g.op("Range", new String[] {zero, t, one}), g.ints(0)}); // [1, T]
        String causal = g.op("LessOrEqual", new String[] {keyIndex, queryIndex});                                // [S, T]
        if (window > 0) {
            String inWindow = g.op("Greater", new String[] {keyIndex, g.op("Sub", new String[] {queryIndex, g.scalarInt(window)})});
            causal = g.op("And", new String[] {causal, inWindow});
        }
        String padding = g.op("Unsqueeze", new String[] {
                g.op("Cast", new String[] {"attention_mask"}, attr("to", (long) GraphBuilder.BOOL)), g.ints(1, 2)}); // [B, 1, 1, T]
        String allowed = g.op("And", new String[] {causal, padding});                                            // [B, 1, S, T]
        String additive = g.op("Where", new String[] {allowed, g.scalar(0f), g.scalar(-Float.MAX_VALUE)});
        return g.op("Unsqueeze", new String[] {additive, g.ints(1)});                                            // [B, 1, 1, S, T]
    }

    private static ModelProto reorderLogitsFirst(ModelProto m) {
        var graph = m.getGraph().toBuilder();
        var outputs = new java.util.ArrayList<>(graph.getOutputList());
        outputs.sort(java.util.Comparator.comparing(o -> o.getName().equals("logits") ? 0 : 1));
        graph.clearOutput().addAllOutput(outputs);
        return m.toBuilder().setGraph(graph).build();
    }
}
