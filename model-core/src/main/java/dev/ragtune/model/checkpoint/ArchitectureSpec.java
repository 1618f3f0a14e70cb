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
 * @param slidingWindow    how {@code sliding_window} is read: ignored, on every layer, or Qwen's
 *                         {@code use_sliding_window} from {@code max_window_layers} on
 */
public record ArchitectureSpec(String modelType, List<LinearModule> projections, boolean qkvBiasByDefault,
                               boolean qkNorm, SlidingWindowRule slidingWindow) {

    public enum SlidingWindowRule { NONE, ALL_LAYERS, QWEN_FROM_MAX_WINDOW_LAYERS }

    static final List<LinearModule> SEPARATE = List.of(LinearModule.Q_PROJ, LinearModule.K_PROJ, LinearModule.V_PROJ,
            LinearModule.O_PROJ, LinearModule.GATE_PROJ, LinearModule.UP_PROJ, LinearModule.DOWN_PROJ);
    static final List<LinearModule> FUSED = List.of(LinearModule.QKV_PROJ, LinearModule.O_PROJ,
            LinearModule.GATE_UP_PROJ, LinearModule.DOWN_PROJ);

    public ArchitectureSpec {
        projections = List.copyOf(projections);
    }

    public boolean fusedQkv() {
        return projections.contains(LinearModule.QKV_PROJ);
    }

    public boolean fusedGateUp() {
        return projections.contains(LinearModule.GATE_UP_PROJ);
    }
}
