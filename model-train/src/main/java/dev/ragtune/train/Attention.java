package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.checkpoint.ModelConfig;

/**
 * Causal multi-head self-attention with grouped-query heads (Ainslie et al., 2023): {@code nh}
 * query heads share {@code nkv} key/value heads, query head {@code h} reading kv head
 * {@code h / (nh/nkv)} (Hugging Face's {@code repeat_kv}). Fused q/k/v (Phi-3) and per-head q/k
 * RMSNorm (Qwen3) follow the family's {@code ArchitectureSpec}. Scores are {@code q k^T / √d} plus a
 * causal mask, softmax in float32.
 */
final class Attention {
    final LoraLinear q;   // H → nh·d (bias for Qwen2), or null when fused
    final LoraLinear k;   // H → nkv·d, or null when fused
    final LoraLinear v;   // H → nkv·d, or null when fused
    final LoraLinear qkv; // H → (nh + 2·nkv)·d (Phi-3), or null
    final LoraLinear o;   // nh·d → H
    private final RmsNorm qNorm; // over each head's d values (Qwen3), or null
    private final RmsNorm kNorm;
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final NDArray invSqrtHeadDim; // 0-d, 1/√d (Gemma: 1/√query_pre_attn_scalar), engine memory (see EngineArrays)
    private final double softcap;         // c · tanh(scores / c) when positive

    Attention(ModelConfig c, NDManager manager, LoraLinear q, LoraLinear k, LoraLinear v, LoraLinear qkv, LoraLinear o,
              RmsNorm qNorm, RmsNorm kNorm) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.qkv = qkv;
        this.o = o;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.numHeads = c.numHeads();
        this.numKvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.invSqrtHeadDim = EngineArrays.scalar(manager, (float) c.attentionScale());
        this.softcap = c.attnLogitSoftcapping();
    }

    /**
     * @param x    [b, s, H]
     * @param cos  [s, d]
     * @param sin  [s, d]
     * @param mask [s, s] additive mask (0 where a query may see a key: causal, within the sliding window)
     * @return [b, s, H]
     */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask) {
        long b = x.getShape().get(0);
        long s = x.getShape().get(1);
        int g = numHeads / numKvHeads;
        NDArray qf;
        NDArray kf;
        NDArray vf;
        if (qkv != null) {                                           // [b, s, (nh + 2·nkv)·d] → q, k, v
            long qDim = (long) numHeads * headDim;
            long kvDim = (long) numKvHeads * headDim;
            NDArray fused = qkv.forward(x);
            NDList parts = fused.split(new long[] {qDim, qDim + kvDim}, fused.getShape().dimension() - 1);
            qf = parts.get(0);
            kf = parts.get(1);
            vf = parts.get(2);
        } else {
            qf = q.forward(x);
            kf = k.forward(x);
            vf = v.forward(x);
        }
        NDArray qh = qf.reshape(b, s, numHeads, headDim).transpose(0, 2, 1, 3);   // [b, nh, s, d]
        NDArray kh = kf.reshape(b, s, numKvHeads, headDim).transpose(0, 2, 1, 3); // [b, nkv, s, d]
        NDArray vh = vf.reshape(b, s, numKvHeads, headDim).transpose(0, 2, 1, 3); // [b, nkv, s, d]
        if (qNorm != null) {                                         // per-head RMSNorm before RoPE
            qh = qNorm.forward(qh);
            kh = kNorm.forward(kh);
        }
        qh = RotaryEmbedding.apply(qh, cos, sin);
        kh = RotaryEmbedding.apply(kh, cos, sin);

        NDArray qg = qh.reshape(b, numKvHeads, g, s, headDim);       // [b, nkv, g, s, d]
        NDArray kg = kh.expandDims(2);                               // [b, nkv, 1, s, d]
        NDArray vg = vh.expandDims(2);                               // [b, nkv, 1, s, d]
        NDArray scores = qg.matMul(kg.transpose(0, 1, 2, 4, 3))       // [b, nkv, g, s, s]
                .mul(invSqrtHeadDim);
        if (softcap > 0) {
            scores = scores.div(softcap).tanh().mul(softcap);
        }
        scores = scores.add(mask);
        NDArray probs = scores.softmax(-1);
        NDArray ctx = probs.matMul(vg)                               // [b, nkv, g, s, d]
                .reshape(b, numHeads, s, headDim)                    // [b, nh, s, d]
                .transpose(0, 2, 1, 3)                               // [b, s, nh, d]
                .reshape(b, s, (long) numHeads * headDim);           // [b, s, nh·d]
        return o.forward(ctx);
    }
}
