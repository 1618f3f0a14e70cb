package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.WeightNames;

import static dev.ragtune.model.onnx.GraphBuilder.attr;

/**
 * Grouped-query self-attention with a KV cache.
 *
 * <pre>
 *   q = x Wqᵀ → [B, nH, S, D]      k, v = x Wkᵀ, x Wvᵀ → [B, nKV, S, D]   (or one fused qkv_proj, split)
 *   q, k = rmsnorm_D(q), rmsnorm_D(k)                                      (families with q/k norm)
 *   q, k = rope(q), rope(k)                                                (the first R = rotary dims)
 *   K = concat(past_k, k) → [B, nKV, T, D]   (T = past + S; also the present output)
 *   scores = (q viewed as [B, nKV, G, S, D]) · Kᵀ · scale [→ softcap] + mask → [B, nKV, G, S, T]
 *            (scale 1/√D, or Gemma's 1/√query_pre_attn_scalar; mask: causal, padding,
 *            and the layer's sliding window)
 *   out = softmax(scores) · V → [B, S, nH·D] → o_proj
 * </pre>
 * Viewing the G = nH/nKV query heads of a group against one key head lets MatMul broadcast
 * instead of materialising repeated keys.
 */
final class AttentionBlock {
    private AttentionBlock() {
    }

    record Output(String hidden, String presentKey, String presentValue) {
    }

    /**
     * @param x    normalised hidden states {@code [B, S, H]}
     * @param mask additive mask {@code [B, 1, 1, S, T]}
     */
    static Output apply(GraphBuilder g, LayerWeights w, ModelConfig c, int layer, String x, String cos, String sin,
                        String mask) {
        int d = c.headDim();
        String qFlat;
        String kFlat;
        String vFlat;
        if (c.spec().fusedQkv()) {   // Phi-3: [B, S, nH·D + 2·nKV·D] → q, k, v
            String[] parts = g.ops("Split", new String[] {g.fresh("q"), g.fresh("k"), g.fresh("v")},
                    new String[] {w.linear(x, LinearModule.QKV_PROJ), g.ints(c.qDim(), c.kvDim(), c.kvDim())}, attr("axis", -1L));
            qFlat = parts[0];
            kFlat = parts[1];
            vFlat = parts[2];
        } else {
            qFlat = w.linear(x, LinearModule.Q_PROJ);
            kFlat = w.linear(x, LinearModule.K_PROJ);
            vFlat = w.linear(x, LinearModule.V_PROJ);
        }
        String q = heads(g, qFlat, c.numHeads(), d);
        String k = heads(g, kFlat, c.numKvHeads(), d);
        String v = heads(g, vFlat, c.numKvHeads(), d);
        if (c.spec().qkNorm()) {     // Qwen3: RMSNorm over each head's D dimensions, before RoPE
            q = RmsNormOp.apply(g, q, w.norm(WeightNames.qNorm(layer), d), c.rmsNormEps());
            k = RmsNormOp.apply(g, k, w.norm(WeightNames.kNorm(layer), d), c.rmsNormEps());
        }
        q = RotaryOp.apply(g, q, cos, sin, d, c.rotaryDim());
        k = RotaryOp.apply(g, k, cos, sin, d, c.rotaryDim());

        String presentKey = g.op("Concat", "present." + layer + ".key",
                new String[] {"past_key_values." + layer + ".key", k}, attr("axis", 2L));
        String presentValue = g.op("Concat", "present." + layer + ".value",
                new String[] {"past_key_values." + layer + ".value", v}, attr("axis", 2L));

        // [B, nH, S, D] → [B, nKV, G, S, D];  K, V: [B, nKV, T, D] → [B, nKV, 1, T, D]
        String qGrouped = g.op("Reshape", new String[] {q, g.ints(0, c.numKvHeads(), c.groupSize(), -1, d)});
        String kGrouped = g.op("Unsqueeze", new String[] {presentKey, g.ints(2)});
        String vGrouped = g.op("Unsqueeze", new String[] {presentValue, g.ints(2)});
        String kT = g.op("Transpose", new String[] {kGrouped}, attr("perm", new long[] {0, 1, 2, 4, 3}));
        String scores = g.op("Mul", new String[] {g.op("MatMul", new String[] {qGrouped, kT}),
                g.scalar((float) c.attentionScale())});
        if (c.attnLogitSoftcapping() > 0) {
            scores = SoftcapOp.apply(g, scores, c.attnLogitSoftcapping());
        }
        String probs = g.op("Softmax", new String[] {g.op("Add", new String[] {scores, mask})}, attr("axis", -1L));
        String context = g.op("MatMul", new String[] {probs, vGrouped});            // [B, nKV, G, S, D]
        String merged = g.op("Reshape", new String[] {
                g.op("Transpose", new String[] {context}, attr("perm", new long[] {0, 3, 1, 2, 4})),
                g.ints(0, 0, c.qDim())});                                               // [B, S, nH·D]
        return new Output(w.linear(merged, LinearModule.O_PROJ), presentKey, presentValue);
    }

    /** {@code [B, S, n·D]} → {@code [B, n, S, D]}. */
    private static String heads(GraphBuilder g, String x, int n, int d) {
        String split = g.op("Reshape", new String[] {x, g.ints(0, 0, n, d)});
        return g.op("Transpose", new String[] {split}, attr("perm", new long[] {0, 2, 1, 3}));
    }
}
