package dev.ragtune.model.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.demo.ByteLevelTokenizerJson;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.safetensors.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Small random checkpoints in each family's real tensor layout, from a {@code config.json} written
 * with the same fields the family's real config has (2 layers, small dims, the demo byte-level
 * tokenizer). Weights are large enough that numeric errors show (std 0.15, norms around 1).
 */
public final class FamilyCheckpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Family {
        /** Qwen3: explicit head_dim (4·24 ≠ hidden 64), q_norm/k_norm, tied embeddings. */
        QWEN3,
        /** Phi-3: fused qkv/gate_up, longrope (original 16 of 64), partial rotary 0.75, sliding window 8. */
        PHI3,
        /** Mistral: sliding window 6 on every layer. */
        MISTRAL,
        /** Llama 3 rope scaling whose three frequency regions (kept, interpolated, divided) all occur. */
        LLAMA3_ROPE,
        /**
         * Gemma 3 text: √H embeddings, (1 + w) norms, sandwich norms, q/k norm, GeGLU, query_pre_attn_scalar 24
         * (≠ head_dim 32), layer 0 local (window 6, base 10⁴), layer 1 global (base 10⁶, linear scaling 2), soft-capping.
         */
        GEMMA3
    }

    private FamilyCheckpoints() {
    }

    /** The family's config.json (as Hugging Face writes it) for a small 2-layer model. */
    public static ObjectNode configJson(Family family) {
        ObjectNode o = JSON.createObjectNode();
        o.put("hidden_size", 64);
        o.put("intermediate_size", 96);
        o.put("num_hidden_layers", 2);
        o.put("num_attention_heads", 4);
        o.put("num_key_value_heads", 2);
        o.put("vocab_size", ByteLevelTokenizerJson.vocabularySize());
        o.put("rms_norm_eps", 1e-6);
        o.put("hidden_act", "silu");
        o.put("torch_dtype", "float32");
        o.put("eos_token_id", ByteLevelTokenizerJson.specialId(ByteLevelTokenizerJson.IM_END));
        o.put("attention_bias", false);
        switch (family) {
            case QWEN3 -> {
                o.putArray("architectures").add("Qwen3ForCausalLM");
                o.put("model_type", "qwen3");
                o.put("head_dim", 24);
                o.put("max_position_embeddings", 40960);
                o.put("rope_theta", 1000000);
                o.putNull("rope_scaling");
                o.putNull("sliding_window");
                o.put("use_sliding_window", false);
                o.put("max_window_layers", 2);
                o.put("tie_word_embeddings", true);
            }
            case PHI3 -> {
                o.putArray("architectures").add("Phi3ForCausalLM");
                o.put("model_type", "phi3");
                o.put("max_position_embeddings", 64);
                o.put("original_max_position_embeddings", 16);
                o.put("rope_theta", 10000.0);
                o.put("partial_rotary_factor", 0.75);
                ObjectNode rs = o.putObject("rope_scaling");
                rs.put("type", "longrope");
                SplittableRandom r = new SplittableRandom(5);
                for (String f : new String[] {"short_factor", "long_factor"}) {
                    var a = rs.putArray(f);
                    for (int i = 0; i < 6; i++) { // rotary dim 16·0.75 = 12 → 6 frequencies
                        a.add(f.startsWith("short") ? 1.0 + 0.1 * r.nextDouble() : 1.0 + 20 * r.nextDouble() * i);
                    }
                }
                o.put("sliding_window", 8);
                o.put("tie_word_embeddings", false);
            }
            case MISTRAL -> {
                o.putArray("architectures").add("MistralForCausalLM");
                o.put("model_type", "mistral");
                o.put("head_dim", 16);
                o.put("max_position_embeddings", 4096);
                o.put("rope_theta", 1000000.0);
                o.put("sliding_window", 6);
                o.put("tie_word_embeddings", false);
            }
            case GEMMA3 -> {
                o.putArray("architectures").add("Gemma3ForCausalLM");
                o.put("model_type", "gemma3_text");
                o.remove("hidden_act");
                o.put("hidden_activation", "gelu_pytorch_tanh");
                o.put("num_key_value_heads", 1);
                o.put("head_dim", 32);
                o.put("query_pre_attn_scalar", 24);
                o.put("max_position_embeddings", 32768);
                o.put("rope_theta", 1000000.0);
                o.put("rope_local_base_freq", 10000.0);
                o.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
                o.put("sliding_window", 6);
                o.put("sliding_window_pattern", 2);
                o.put("attn_logit_softcapping", 4.0);
                o.put("final_logit_softcapping", 6.0);
                // tie_word_embeddings left out: Gemma ties by default
            }
            case LLAMA3_ROPE -> {
                o.putArray("architectures").add("LlamaForCausalLM");
                o.put("model_type", "llama");
                o.put("max_position_embeddings", 2048);
                o.put("rope_theta", 500000.0);
                ObjectNode rs = o.putObject("rope_scaling");
                rs.put("rope_type", "llama3");
                rs.put("factor", 8.0);
                rs.put("low_freq_factor", 1.0);
                rs.put("high_freq_factor", 4.0);
                rs.put("original_max_position_embeddings", 64);
                o.put("tie_word_embeddings", true);
            }
        }
        return o;
    }

    /** Writes the family's checkpoint into {@code dir}; returns its parsed config. */
    public static ModelConfig write(Path dir, Family family, long seed) throws IOException {
        return write(dir, configJson(family), seed);
    }

    /** Random weights for every tensor {@code config} implies, with the demo tokenizer files. */
    public static ModelConfig write(Path dir, JsonNode config, long seed) throws IOException {
        DemoCheckpointWriter.write(dir, DemoPreset.TINY, seed); // tokenizer files; config and weights replaced
        ModelConfig c = ModelConfig.parse(config, "test config");
        DemoCheckpointWriter.writeRandomWeights(dir.resolve("model.safetensors"), c, DType.F32, seed, "test",
                name -> name.endsWith("norm.weight") ? 0.2 : name.contains("embed") ? 0.5 : name.startsWith("lm_head") ? 0.2 : 0.15);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        return c;
    }
}
