package dev.ragtune.model.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeftAdapterIOTest {
    static final ModelConfig MODEL = DemoPreset.TINY.config(Architecture.QWEN2);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static LoraAdapter randomAdapter(ModelConfig model, LoraConfig config, long seed) {
        LoraAdapter a = LoraAdapter.zeros(config, model);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < model.numLayers(); l++) {
            for (LinearModule m : config.targetModules()) {
                fill(a.a(l, m), rnd);
                fill(a.b(l, m), rnd);
            }
        }
        return a;
    }

    private static void fill(float[] v, SplittableRandom rnd) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
    }

    private Path written(LoraConfig config) throws Exception {
        Path dir = tmp.resolve("adapter");
        PeftAdapterIO.write(randomAdapter(MODEL, config, 1), dir);
        return dir;
    }

    @Test
    void writeThenReadGivesIdenticalTensorsAndPeftConfig() throws Exception {
        LoraConfig config = new LoraConfig(4, 8, LinearModule.all(), "/models/tiny", 0.05, false, "abc123");
        LoraAdapter original = randomAdapter(MODEL, config, 42);
        Path dir = tmp.resolve("a");
        PeftAdapterIO.write(original, dir);

        LoraAdapter back = PeftAdapterIO.read(dir, MODEL, "abc123");
        assertThat(back.config()).isEqualTo(config);
        assertThat(back.numLayers()).isEqualTo(MODEL.numLayers());
        for (int l = 0; l < MODEL.numLayers(); l++) {
            for (LinearModule m : LinearModule.all()) {
                assertThat(back.a(l, m)).containsExactly(original.a(l, m));
                assertThat(back.b(l, m)).containsExactly(original.b(l, m));
            }
        }
        var json = JSON.readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(json.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(json.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(json.get("r").asInt()).isEqualTo(4);
        assertThat(json.get("lora_alpha").isInt()).isTrue();
        assertThat(json.get("bias").asText()).isEqualTo("none");
        assertThat(json.get("fan_in_fan_out").asBoolean()).isFalse();
        assertThat(json.get("base_model_name_or_path").asText()).isEqualTo("/models/tiny");
        assertThat(json.get("target_modules")).hasSize(7);
        try (var f = dev.ragtune.model.safetensors.SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
            assertThat(f.tensors()).containsKey("base_model.model.model.layers.3.mlp.down_proj.lora_B.weight");
            assertThat(f.info("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight").shape())
                    .containsExactly(4, 256);
            assertThat(f.info("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight").shape())
                    .containsExactly(64, 4);
        }
    }

    @Test
    void corruptedWeightsFileIsRejected() throws Exception {
        Path dir = written(new LoraConfig(4, 8, List.of(LinearModule.Q_PROJ)));
        Path w = dir.resolve("adapter_model.safetensors");
        byte[] bytes = Files.readAllBytes(w);
        for (int i = 8; i < 40; i++) {
            bytes[i] = (byte) 0xFF; // garbage inside the JSON header
        }
        Files.write(w, bytes);
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("adapter_model.safetensors").hasMessageContaining("not valid JSON");
    }

    @Test
    void truncatedWeightsFileIsRejected() throws Exception {
        Path dir = written(new LoraConfig(4, 8, List.of(LinearModule.Q_PROJ, LinearModule.V_PROJ)));
        Path w = dir.resolve("adapter_model.safetensors");
        byte[] bytes = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("adapter_model.safetensors").hasMessageContaining("truncated");
    }

    @Test
    void wrongShapeIsRejected() throws Exception {
        Path dir = written(new LoraConfig(4, 8, List.of(LinearModule.Q_PROJ)));
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("adapter_config.json").toFile());
        cfg.put("r", 8);
        JSON.writeValue(dir.resolve("adapter_config.json").toFile(), cfg);
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("q_proj.lora_A.weight").hasMessageContaining("r = 8");
    }

    @Test
    void adapterForADifferentBaseShapeIsRejected() throws Exception {
        ModelConfig other = DemoPreset.QWEN2_5_0_5B.config(Architecture.QWEN2);
        LoraConfig config = new LoraConfig(2, 4, List.of(LinearModule.O_PROJ));
        Path dir = tmp.resolve("other");
        // same layer count as tiny, different widths
        ModelConfig fourLayers = new ModelConfig(other.architecture(), other.hiddenSize(), other.intermediateSize(), 4,
                other.numHeads(), other.numKvHeads(), other.headDim(), other.vocabSize(), other.rmsNormEps(),
                other.ropeTheta(), null, 4096, true, true, "float32", null, other.eosTokenIds());
        PeftAdapterIO.write(LoraAdapter.zeros(config, fourLayers), dir);
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("o_proj").hasMessageContaining("different base model");
    }

    @Test
    void adapterWithMoreLayersThanTheBaseIsRejected() throws Exception {
        ModelConfig deeper = new ModelConfig(MODEL.architecture(), MODEL.hiddenSize(), MODEL.intermediateSize(), 6,
                MODEL.numHeads(), MODEL.numKvHeads(), MODEL.headDim(), MODEL.vocabSize(), MODEL.rmsNormEps(),
                MODEL.ropeTheta(), null, 2048, false, true, "float32", null, MODEL.eosTokenIds());
        Path dir = tmp.resolve("deeper");
        PeftAdapterIO.write(LoraAdapter.zeros(new LoraConfig(2, 4, List.of(LinearModule.Q_PROJ)), deeper), dir);
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("layers.4.").hasMessageContaining("different base model");
    }

    @Test
    void recordedBaseHashMismatchIsRejected() throws Exception {
        Path dir = tmp.resolve("h");
        PeftAdapterIO.write(LoraAdapter.zeros(new LoraConfig(2, 4, List.of(LinearModule.Q_PROJ)).withBase("m", "aaaa"), MODEL), dir);
        assertThat(PeftAdapterIO.read(dir, MODEL, "aaaa").config().baseModelHash()).isEqualTo("aaaa");
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, "bbbb")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("aaaa").hasMessageContaining("bbbb").hasMessageContaining("different base model");
    }

    @Test
    void missingTensorIsRejected() throws Exception {
        Path dir = tmp.resolve("missing");
        Files.createDirectories(dir);
        LoraConfig config = new LoraConfig(2, 4, List.of(LinearModule.Q_PROJ));
        JSON.writeValue(dir.resolve("adapter_config.json").toFile(), config.toJson());
        SafetensorsWriter w = new SafetensorsWriter();
        for (int l = 0; l < MODEL.numLayers(); l++) {
            w.add(PeftAdapterIO.tensorNameA(l, LinearModule.Q_PROJ), DType.F32, new long[] {2, 256}, new float[512]);
            if (l != 2) {
                w.add(PeftAdapterIO.tensorNameB(l, LinearModule.Q_PROJ), DType.F32, new long[] {256, 2}, new float[512]);
            }
        }
        w.write(dir.resolve("adapter_model.safetensors"));
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("missing tensor 'base_model.model.model.layers.2.self_attn.q_proj.lora_B.weight'");
    }

    @Test
    void unknownTargetModuleIsRejected() throws Exception {
        Path dir = written(new LoraConfig(4, 8, List.of(LinearModule.Q_PROJ)));
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("adapter_config.json").toFile());
        cfg.putArray("target_modules").add("q_proj").add("lm_head");
        JSON.writeValue(dir.resolve("adapter_config.json").toFile(), cfg);
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("adapter_config.json").hasMessageContaining("unknown target module 'lm_head'");
    }

    @Test
    void malformedConfigAndMissingFilesAreRejected() throws Exception {
        Path dir = written(new LoraConfig(4, 8, List.of(LinearModule.Q_PROJ)));
        Files.writeString(dir.resolve("adapter_config.json"), "{\"r\": 4, ");
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("malformed").hasMessageContaining("adapter_config.json");
        Files.delete(dir.resolve("adapter_config.json"));
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("has no adapter_config.json");
        assertThatThrownBy(() -> PeftAdapterIO.read(tmp.resolve("nope"), MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void nonFiniteValuesAreRejected() throws Exception {
        LoraConfig config = new LoraConfig(2, 4, List.of(LinearModule.UP_PROJ));
        LoraAdapter a = LoraAdapter.zeros(config, MODEL);
        a.b(1, LinearModule.UP_PROJ)[5] = Float.NaN;
        Path dir = tmp.resolve("nan");
        PeftAdapterIO.write(a, dir);
        assertThatThrownBy(() -> PeftAdapterIO.read(dir, MODEL, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("layers.1.mlp.up_proj.lora_B.weight").hasMessageContaining("NaN");
    }
}
