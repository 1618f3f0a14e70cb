package dev.ragtune.model.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.onnx.FamilyCheckpoints.Family;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static dev.ragtune.model.onnx.OrtParityTest.maxAbsDiff;
import static dev.ragtune.model.onnx.OrtParityTest.randomIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The new families' configs are validated with clear messages, and PEFT adapters laid out as PEFT
 * writes them (Phi-3's fused {@code qkv_proj}/{@code gate_up_proj}, Qwen3's separate projections)
 * load, match the float64 reference through ONNX Runtime and are served; an adapter naming a module
 * the family does not have is refused with a message naming it.
 */
class FamilyAdapterAndConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------ config validation

    @Test
    void unsupportedArchitectureListsEveryFamily() {
        ObjectNode c = FamilyCheckpoints.configJson(Family.QWEN3);
        c.putArray("architectures").add("Gemma2ForCausalLM");
        assertThatThrownBy(() -> ModelConfig.parse(c, "config.json")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unsupported architecture 'Gemma2ForCausalLM'")
                .hasMessageContaining("LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM, Qwen3ForCausalLM, Phi3ForCausalLM, Gemma3ForCausalLM");
    }

    @Test
    void familyTraitsAreParsed() {
        ModelConfig qwen3 = ModelConfig.parse(FamilyCheckpoints.configJson(Family.QWEN3), "q");
        assertThat(qwen3.headDim()).isEqualTo(24);
        assertThat(qwen3.qDim()).isEqualTo(96);
        assertThat(qwen3.spec().qkNorm()).isTrue();
        assertThat(qwen3.slidingWindows()).containsOnly(0);
        ModelConfig phi3 = ModelConfig.parse(FamilyCheckpoints.configJson(Family.PHI3), "p");
        assertThat(phi3.projections()).containsExactly(LinearModule.QKV_PROJ, LinearModule.O_PROJ,
                LinearModule.GATE_UP_PROJ, LinearModule.DOWN_PROJ);
        assertThat(phi3.rotaryDim()).isEqualTo(12);
        assertThat(phi3.slidingWindows()).containsOnly(8);
        assertThat(phi3.ropeScaling().isLongrope()).isTrue();
        assertThat(phi3.ropeScaling().originalMaxPositionEmbeddings()).isEqualTo(16);
        assertThat(phi3.ropeScaling().attentionFactor()).isCloseTo(Math.sqrt(1 + Math.log(4) / Math.log(16)),
                org.assertj.core.data.Offset.offset(1e-12));
        ModelConfig mistral = ModelConfig.parse(FamilyCheckpoints.configJson(Family.MISTRAL), "m");
        assertThat(mistral.slidingWindows()).containsOnly(6);
        // Qwen: sliding_window counts only with use_sliding_window, from max_window_layers on
        ObjectNode q = FamilyCheckpoints.configJson(Family.QWEN3);
        q.put("sliding_window", 4);
        assertThat(ModelConfig.parse(q, "q").slidingWindows()).containsOnly(0);
        q.put("use_sliding_window", true);
        q.put("max_window_layers", 1);
        assertThat(ModelConfig.parse(q, "q").slidingWindows()).containsExactly(0, 4);
        ModelConfig gemma = ModelConfig.parse(FamilyCheckpoints.configJson(Family.GEMMA3), "g");
        assertThat(gemma.slidingWindows()).containsExactly(6, 0);   // pattern 2: layer 0 local, layer 1 global
        assertThat(gemma.localRope(0)).isTrue();
        assertThat(gemma.localRope(1)).isFalse();
        assertThat(gemma.tieWordEmbeddings()).as("Gemma ties by default").isTrue();
        assertThat(gemma.attentionScale()).isEqualTo(1 / Math.sqrt(24));
        assertThat(gemma.attnLogitSoftcapping()).isEqualTo(4.0);
        assertThat(gemma.finalLogitSoftcapping()).isEqualTo(6.0);
        assertThat(gemma.tensorShapes()).containsKeys("model.layers.1.pre_feedforward_layernorm.weight",
                "model.layers.1.post_feedforward_layernorm.weight", "model.layers.1.self_attn.k_norm.weight");
        ObjectNode types = FamilyCheckpoints.configJson(Family.GEMMA3);
        types.putArray("layer_types").add("full_attention").add("sliding_attention");
        assertThat(ModelConfig.parse(types, "g").slidingWindows()).containsExactly(0, 6);
        // the config round-trips through toJson
        for (ModelConfig c : List.of(qwen3, phi3, mistral, gemma)) {
            assertThat(ModelConfig.parse(c.toJson(), "again")).isEqualTo(c);
        }
    }

    @Test
    void badFamilyConfigsAreRefusedWithTheField() {
        ObjectNode shortFactors = FamilyCheckpoints.configJson(Family.PHI3);
        ((com.fasterxml.jackson.databind.node.ArrayNode) shortFactors.path("rope_scaling").path("short_factor")).remove(0);
        assertThatThrownBy(() -> ModelConfig.parse(shortFactors, "config.json"))
                .hasMessageContaining("rope_scaling.short_factor must be a list of 6 numbers");
        ObjectNode oddRotary = FamilyCheckpoints.configJson(Family.PHI3);
        oddRotary.put("partial_rotary_factor", 0.3);
        assertThatThrownBy(() -> ModelConfig.parse(oddRotary, "config.json")).hasMessageContaining("rotary dimension");
        ObjectNode gelu = FamilyCheckpoints.configJson(Family.PHI3);
        gelu.put("hidden_act", "gelu_new");
        assertThatThrownBy(() -> ModelConfig.parse(gelu, "config.json")).hasMessageContaining("hidden activation 'gelu_new'");
        ObjectNode gemmaSilu = FamilyCheckpoints.configJson(Family.GEMMA3);
        gemmaSilu.put("hidden_activation", "silu");
        assertThatThrownBy(() -> ModelConfig.parse(gemmaSilu, "config.json"))
                .hasMessageContaining("hidden activation 'silu' is not supported for Gemma3ForCausalLM (only gelu_pytorch_tanh)");
        ObjectNode cap = FamilyCheckpoints.configJson(Family.GEMMA3);
        cap.put("final_logit_softcapping", -1);
        assertThatThrownBy(() -> ModelConfig.parse(cap, "config.json")).hasMessageContaining("'final_logit_softcapping'");
        ObjectNode window = FamilyCheckpoints.configJson(Family.MISTRAL);
        window.put("sliding_window", 0);
        assertThatThrownBy(() -> ModelConfig.parse(window, "config.json")).hasMessageContaining("'sliding_window'");
        ObjectNode rope = FamilyCheckpoints.configJson(Family.PHI3);
        ((ObjectNode) rope.get("rope_scaling")).put("type", "yarn");
        assertThatThrownBy(() -> ModelConfig.parse(rope, "config.json"))
                .hasMessageContaining("rope_scaling type 'yarn' is not supported (supported: default, linear, llama3, longrope)");
    }

    @Test
    void checkpointsInAnotherFamilysLayoutAreRefusedNamingTheTensor() throws Exception {
        Path llamaLayout = tmp.resolve("phi3-with-llama-tensors");
        FamilyCheckpoints.write(llamaLayout, Family.MISTRAL, 1);
        ObjectNode phi = FamilyCheckpoints.configJson(Family.PHI3);
        JSON.writeValue(llamaLayout.resolve("config.json").toFile(), phi);
        assertThatThrownBy(() -> Checkpoint.open(llamaLayout)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.layers.0.self_attn.qkv_proj.weight");
        Path noQkNorm = tmp.resolve("qwen3-without-q-norm");
        FamilyCheckpoints.write(noQkNorm, Family.MISTRAL, 1);
        ObjectNode qwen3 = FamilyCheckpoints.configJson(Family.QWEN3);
        qwen3.put("head_dim", 16);
        qwen3.put("tie_word_embeddings", false);
        JSON.writeValue(noQkNorm.resolve("config.json").toFile(), qwen3);
        assertThatThrownBy(() -> Checkpoint.open(noQkNorm)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.layers.0.self_attn.q_norm.weight");
    }

    // ------------------------------------------------------------------ PEFT adapters as PEFT writes them

    /** adapter_config.json and adapter_model.safetensors exactly as PEFT 0.1x saves a LoRA adapter. */
    static void writePeftAdapter(Path dir, ModelConfig model, List<String> targets, int r, long seed) throws Exception {
        Files.createDirectories(dir);
        ObjectNode cfg = JSON.createObjectNode();
        cfg.putObject("alpha_pattern");
        cfg.putNull("auto_mapping");
        cfg.put("base_model_name_or_path", "some/base-model");
        cfg.put("bias", "none");
        cfg.put("fan_in_fan_out", false);
        cfg.put("inference_mode", true);
        cfg.put("init_lora_weights", true);
        cfg.putNull("layer_replication");
        cfg.putNull("layers_pattern");
        cfg.putNull("layers_to_transform");
        cfg.putObject("loftq_config");
        cfg.put("lora_alpha", 2 * r);
        cfg.put("lora_dropout", 0.05);
        cfg.putNull("megatron_config");
        cfg.put("megatron_core", "megatron.core");
        cfg.putNull("modules_to_save");
        cfg.put("peft_type", "LORA");
        cfg.put("r", r);
        cfg.putObject("rank_pattern");
        cfg.putNull("revision");
        targets.forEach(cfg.putArray("target_modules")::add);
        cfg.put("task_type", "CAUSAL_LM");
        cfg.put("use_dora", false);
        cfg.put("use_rslora", false);
        JSON.writeValue(dir.resolve("adapter_config.json").toFile(), cfg);
        SplittableRandom rnd = new SplittableRandom(seed);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (int l = 0; l < model.numLayers(); l++) {
            for (String t : targets) {
                LinearModule m = LinearModule.byShortName(t).orElseThrow();
                String prefix = "base_model.model.model.layers." + l + "." + m.path();
                int in = m.inFeatures(model);
                int out = m.outFeatures(model);
                w.add(prefix + ".lora_A.weight", DType.F32, new long[] {r, in}, gaussian(rnd, r * in));
                w.add(prefix + ".lora_B.weight", DType.F32, new long[] {out, r}, gaussian(rnd, out * r));
            }
        }
        w.write(dir.resolve("adapter_model.safetensors"));
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.1 * r.nextGaussian());
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"PHI3", "QWEN3"})
    void peftAdapterAsPeftWritesItLoadsMatchesTheReferenceAndServes(Family family) throws Exception {
        Path dir = tmp.resolve("ckpt");
        FamilyCheckpoints.write(dir, family, 4);
        List<String> targets = family == Family.PHI3
                ? List.of("qkv_proj", "o_proj", "gate_up_proj", "down_proj")
                : List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            Path adapterDir = tmp.resolve("peft");
            writePeftAdapter(adapterDir, ckpt.config(), targets, 8, 7);
            LoraAdapter adapter = PeftAdapterIO.read(adapterDir, ckpt.config(), ckpt.contentHash());
            assertThat(adapter.config().targetModules().stream().map(LinearModule::shortName)).containsExactlyInAnyOrderElementsOf(targets);

            try (ServingModel serving = ServingModel.open(dir, tmp.resolve("cache"), Precision.FP32, 0);
                 OrtAdapter served = serving.loadAdapter("peft", adapterDir)) {
                int[] prompt = serving.tokenizer().encode("hello");
                String base = serving.generator().complete(prompt, 6, null);
                String tuned = serving.generator().complete(prompt, 6, served);
                assertThat(tuned).isNotNull();
                System.out.printf("%s served: base '%s', with PEFT adapter '%s'%n", family, base, tuned);
            }
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            int[] ids = randomIds(new Random(3), 20, ckpt.config().vocabSize());
            try (OrtDecoder decoder = OrtDecoder.open(export, 0);
                 OrtAdapter ort = OrtAdapter.load("peft", adapterDir.resolve(OnnxAdapterWriter.FILE_NAME))) {
                double d = maxAbsDiff(ReferenceDecoder.of(ckpt, adapter).forward(ids), decoder.logits(ids, ort));
                System.out.printf("%s PEFT adapter through ORT vs float64: max |Δ| %.2e%n", family, d);
                assertThat(d).isLessThanOrEqualTo(1e-4);
                assertThat(maxAbsDiff(new ReferenceDecoder(ckpt).forward(ids), decoder.logits(ids, ort))).isGreaterThan(1e-2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"PHI3", "QWEN3"})
    void peftAdapterNamingAModuleTheFamilyDoesNotHaveIsRefusedNamingIt(Family family) throws Exception {
        Path dir = tmp.resolve("ckpt");
        ModelConfig c = FamilyCheckpoints.write(dir, family, 4);
        // Phi-3 has no separate q_proj; Qwen3 no fused qkv_proj. Shapes as the other layout would have them.
        String foreign = family == Family.PHI3 ? "q_proj" : "qkv_proj";
        Path adapterDir = tmp.resolve("foreign");
        writePeftAdapter(adapterDir, c, List.of(foreign, "o_proj"), 4, 1);
        assertThatThrownBy(() -> PeftAdapterIO.read(adapterDir, c, null)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("target module '" + foreign + "' does not exist in " + c.architecture().hfName());
        try (ServingModel serving = ServingModel.open(dir, tmp.resolve("cache"), Precision.FP32, 0)) {
            assertThatThrownBy(() -> serving.loadAdapter("foreign", adapterDir)).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("'" + foreign + "'");
        }
        Path unknown = tmp.resolve("unknown");
        writePeftAdapter(unknown, c, List.of("o_proj"), 4, 1);
        ObjectNode cfg = (ObjectNode) JSON.readTree(unknown.resolve("adapter_config.json").toFile());
        cfg.putArray("target_modules").add("o_proj").add("c_attn");
        JSON.writeValue(unknown.resolve("adapter_config.json").toFile(), cfg);
        assertThatThrownBy(() -> PeftAdapterIO.read(unknown, c, null)).hasMessageContaining("'c_attn'");
    }
}
