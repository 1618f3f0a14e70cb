package dev.ragtune.model.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DemoCheckpointWriter#writeLike}: a real-shaped config with fewer layers opens and validates. */
class WriteLikeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A folder as a real model ships it: config.json plus tokenizer files (here the demo byte-level ones). */
    private static Path realLike(Path dir, ObjectNode config) throws Exception {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), ByteLevelTokenizerJson.tokenizerJson(JSON));
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), ByteLevelTokenizerJson.tokenizerConfigJson(JSON));
        JSON.writeValue(dir.resolve("generation_config.json").toFile(), JSON.createObjectNode().put("do_sample", false));
        return dir;
    }

    private static ObjectNode base(String arch, String type, int layers) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(arch);
        o.put("model_type", type);
        o.put("hidden_size", 96);
        o.put("intermediate_size", 160);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", 6);
        o.put("num_key_value_heads", 2);
        o.put("vocab_size", ByteLevelTokenizerJson.vocabularySize());
        o.put("rms_norm_eps", 1e-6);
        o.put("hidden_act", "silu");
        o.put("max_position_embeddings", 4096);
        o.put("rope_theta", 10000.0);
        o.put("torch_dtype", "bfloat16");
        o.put("eos_token_id", ByteLevelTokenizerJson.specialId(ByteLevelTokenizerJson.IM_END));
        return o;
    }

    @Test
    void qwen3ShapedKeepsWidthsCutsLayerListsAndValidates(@TempDir Path tmp) throws Exception {
        ObjectNode cfg = base("Qwen3ForCausalLM", "qwen3", 5);
        cfg.put("head_dim", 32);
        cfg.put("tie_word_embeddings", true);
        cfg.put("max_window_layers", 5);
        cfg.put("use_sliding_window", false);
        var types = cfg.putArray("layer_types");
        for (int i = 0; i < 5; i++) {
            types.add("full_attention");
        }
        Path like = realLike(tmp.resolve("real"), cfg);
        Path out = tmp.resolve("out");

        ModelConfig c = DemoCheckpointWriter.writeLike(like, 2, 0, 0, 7, out);

        assertEquals(Architecture.QWEN3, c.architecture());
        assertEquals(2, c.numLayers());
        assertEquals(96, c.hiddenSize());
        assertEquals(32, c.headDim());
        var written = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals(2, written.get("layer_types").size());
        assertEquals(2, written.get("max_window_layers").asInt());
        assertEquals(5, cfg.get("num_hidden_layers").asInt(), "the input config is left alone");
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertArrayEquals(Files.readAllBytes(like.resolve(f)), Files.readAllBytes(out.resolve(f)), f + " copied unchanged");
        }
        try (Checkpoint ckpt = Checkpoint.open(out)) { // every tensor of the layout, with the right shape
            assertEquals(2, ckpt.config().numLayers());
            assertTrue(ckpt.config().spec().qkNorm());
        }
        // same seed, same bytes
        DemoCheckpointWriter.writeLike(like, 2, 0, 0, 7, tmp.resolve("again"));
        assertArrayEquals(Files.readAllBytes(out.resolve("model.safetensors")),
                Files.readAllBytes(tmp.resolve("again/model.safetensors")));
    }

    @Test
    void phi3ShapedNarrowerKeepsHeadWidth(@TempDir Path tmp) throws Exception {
        ObjectNode cfg = base("Phi3ForCausalLM", "phi3", 4);
        cfg.put("num_key_value_heads", 6);
        cfg.put("sliding_window", 2047);
        cfg.putNull("rope_scaling");
        cfg.put("tie_word_embeddings", false);
        Path like = realLike(tmp.resolve("real"), cfg);
        Path out = tmp.resolve("out");

        ModelConfig c = DemoCheckpointWriter.writeLike(like, 2, 32, 48, 1, out);

        assertEquals(Architecture.PHI3, c.architecture());
        assertEquals(16, c.headDim(), "head width 96/6 kept");
        assertEquals(2, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(48, c.intermediateSize());
        try (Checkpoint ckpt = Checkpoint.open(out)) {
            assertEquals(32, ckpt.config().hiddenSize());
        }
        assertThrows(IllegalArgumentException.class, () -> DemoCheckpointWriter.writeLike(like, 2, 40, 0, 1, tmp.resolve("bad")),
                "40 is no multiple of the head width 16");
        assertThrows(IllegalArgumentException.class, () -> DemoCheckpointWriter.writeLike(like, 9, 0, 0, 1, tmp.resolve("bad")));
    }
}
