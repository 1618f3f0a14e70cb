package dev.ragtune.model.checkpoint;

/** Hugging Face tensor names of a Llama-family checkpoint. */
public final class WeightNames {
    private WeightNames() {
    }

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    public static String layer(int i) {
        return "model.layers." + i + ".";
    }

    public static String inputNorm(int i) {
        return layer(i) + "input_layernorm.weight";
    }

    /** Gemma's norm of the MLP's input (Llama-style families use {@link #postAttentionNorm} for that). */
    public static String preFeedforwardNorm(int i) {
        return layer(i) + "pre_feedforward_layernorm.weight";
    }

    /** Gemma's norm of the MLP's output, before the residual add. */
    public static String postFeedforwardNorm(int i) {
        return layer(i) + "post_feedforward_layernorm.weight";
    }

    /**
     * Llama-style: the MLP's input norm; Gemma (sandwich norms): the norm of the attention output
     * before the residual add.
     */
    public static String postAttentionNorm(int i) {
        return layer(i) + "post_attention_layernorm.weight";
    }

    /** Qwen3's per-head RMSNorm of the queries, {@code [head_dim]}. */
    public static String qNorm(int i) {
        return layer(i) + "self_attn.q_norm.weight";
    }

    public static String kNorm(int i) {
        return layer(i) + "self_attn.k_norm.weight";
    }

    /** {@code module} is one of the {@link LinearModule}s. */
    public static String linear(int i, LinearModule module) {
        return layer(i) + module.path() + ".weight";
    }

    public static String bias(int i, LinearModule module) {
        return layer(i) + module.path() + ".bias";
    }
}
