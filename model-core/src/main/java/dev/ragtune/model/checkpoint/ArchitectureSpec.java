package dev.ragtune.model.checkpoint;

import java.util.List;

/**
 * What distinguishes one decoder family from another, as data: the three forwards (ONNX graph,
 * DJL training forward, float64 reference) read these traits instead of switching on the family.
 *
 * @param modelType        Hugging Face {@code model_type}
 * @param projections      the layer's linear projections under their checkpoint (and PEFT) names, e.g. Phi-3's
 *                         fused {@code qkv_proj} and {@code gate_up_proj}; these are the possible LoRA targets
 * @param qkvBiasByDefault q/k/v carry a bias unless {@code attention_bias} says otherwise (Qwen2)
 * @param qkNorm           per-head RMSNorm of queries and keys ({@code self_attn.q_norm}/{@code k_norm}) before RoPE (Qwen3)
 * @param slidingWindow    how {@code sliding_window} is read: ignored, on every layer, Qwen's
 *                         {@code use_sliding_window} from {@code max_window_layers} on, or Gemma's
 *                         {@code sliding_window_pattern} / {@code layer_types} (local layers with their own RoPE base)
 * @param normWeightOffset RMSNorm scales by {@code offset + w}: 0, or 1 for Gemma's {@code (1 + w)}
 * @param sandwichNorms    norms after attention and after the MLP too, and the MLP's input norm is
 *                         {@code pre_feedforward_layernorm} (Gemma 2/3)
 * @param scaleEmbeddings  embeddings are multiplied by {@code √hidden_size} (Gemma)
 * @param activation       the gated MLP's activation
 * @param tiedByDefault    {@code tie_word_embeddings} when the config does not say
 */
public record ArchitectureSpec(String modelType, List<LinearModule> projections, boolean qkvBiasByDefault,
                               boolean qkNorm, SlidingWindowRule slidingWindow, double normWeightOffset,
                               boolean sandwichNorms, boolean scaleEmbeddings, Activation activation,
                               boolean tiedByDefault) {

    public enum SlidingWindowRule { NONE, ALL_LAYERS, QWEN_FROM_MAX_WINDOW_LAYERS, GEMMA_PATTERN }

    /** The gate's activation: {@code silu(z) = z·σ(z)} (SwiGLU) or {@code gelu_pytorch_tanh} (GeGLU). */
    public enum Activation { SILU, GELU_TANH }

    /** A Llama-style family: plain RMSNorm, pre-norms only, SiLU, untied unless the config ties. */
    static ArchitectureSpec llamaLike(String modelType, List<LinearModule> projections, boolean qkvBias, boolean qkNorm,
                                      SlidingWindowRule window) {
        return new ArchitectureSpec(modelType, projections, qkvBias, qkNorm, window, 0.0, false, false, Activation.SILU, false);
    }

    static final List<LinearModule> SEPARATE = List.of(LinearModule.Q_PROJ, LinearModule.K_PROJ, LinearModule.V_PROJ,
            LinearModule.O_PROJ, LinearModule.GATE_PROJ, LinearModule.UP_PROJ, LinearModule.DOWN_PROJ);
    static final List<LinearModule> FUSED = List.of(LinearModule.QKV_PROJ, LinearModule.O_PROJ,
            LinearModule.GATE_UP_PROJ, LinearModule.DOWN_PROJ);

    public ArchitectureSpec {
        projections = List.copyOf(projections);
    }

    /** The scale an RMSNorm applies, {@code offset + w} in float32 (a copy when the offset is not 0). */
    public float[] normScale(float[] w) {
        if (normWeightOffset == 0) {
            return w;
        }
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = (float) normWeightOffset + w[i];
        }
        return s;
    }

    public boolean fusedQkv() {
        return projections.contains(LinearModule.QKV_PROJ);
    }

    public boolean fusedGateUp() {
        return projections.contains(LinearModule.GATE_UP_PROJ);
    }
}
