package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.checkpoint.ModelConfig;

/**
 * Causal multi-head self-attention with grouped-query heads (Ainslie et al., 2023): {@code nh}
 * query heads share {@code nkv} key/value heads, query head {@code h} reading kv head
 * {@code h / (nh/nkv)} (Hugging Face's {@code repeat_kv}). Scores are {@code q k^T / √d} plus a
 * causal mask, softmax in float32.
 */
final class Attention {
    final LoraLinear q; // H → nh·d (bias for Qwen2)
    final LoraLinear k; // H → nkv·d
    final LoraLinear v; // H → nkv·d
    final LoraLinear o; // nh·d → H
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final NDArray invSqrtHeadDim; // 0-d, 1/√d, engine memory (see EngineArrays)

    Attention(ModelConfig c, NDManager manager, LoraLinear q, LoraLinear k, LoraLinear v, LoraLinear o) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.numHeads = c.numHeads();
        this.numKvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.invSqrtHeadDim = EngineArrays.scalar(manager, 1.0f / (float) Math.sqrt(headDim));
    }

    /**
     * @param x    [b, s, H]
     * @param cos  [s, d]
     * @param sin  [s, d]
     * @param mask [s, s] additive causal mask (0 on and below the diagonal, a large negative above)
     * @return [b, s, H]
     */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask) {
        long b = x.getShape().get(0);
        long s = x.getShape().get(1);
        int g = numHeads / numKvHeads;
        NDArray qh = q.forward(x).reshape(b, s, numHeads, headDim).transpose(0, 2, 1, 3);   // [b, nh, s, d]
        NDArray kh = k.forward(x).reshape(b, s, numKvHeads, headDim).transpose(0, 2, 1, 3); // [b, nkv, s, d]
        NDArray vh = v.forward(x).reshape(b, s, numKvHeads, headDim).transpose(0, 2, 1, 3); // [b, nkv, s, d]
        qh = RotaryEmbedding.apply(qh, cos, sin);
        kh = RotaryEmbedding.apply(kh, cos, sin);

        NDArray qg = qh.reshape(b, numKvHeads, g, s, headDim);       // [b, nkv, g, s, d]
        NDArray kg = kh.expandDims(2);                               // [b, nkv, 1, s, d]
        NDArray vg = vh.expandDims(2);                               // [b, nkv, 1, s, d]
        NDArray scores = qg.matMul(kg.transpose(0, 1, 2, 4, 3))       // [b, nkv, g, s, s]
                .mul(invSqrtHeadDim)
                .add(mask);
        NDArray probs = scores.softmax(-1);
        NDArray ctx = probs.matMul(vg)                               // [b, nkv, g, s, d]
                .reshape(b, numHeads, s, headDim)                    // [b, nh, s, d]
                .transpose(0, 2, 1, 3)                               // [b, s, nh, d]
                .reshape(b, s, (long) numHeads * headDim);           // [b, s, nh·d]
        return o.forward(ctx);
    }
}
