package dev.ragtune.model.checkpoint;

import dev.ragtune.model.ModelFormatException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsFile;
import dev.ragtune.model.safetensors.SafetensorsWriter;
import dev.ragtune.model.safetensors.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading Hugging Face checkpoints, and every way a checkpoint folder can be broken. */
class CheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path demo() throws Exception {
        Path dir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(dir, DemoPreset.TINY, 1);
        return dir;
    }

    @Test
    void demoCheckpointOpensWithTheConfiguredShapes() throws Exception {
        try (Checkpoint c = Checkpoint.open(demo())) {
            assertThat(c.config().architecture()).isEqualTo(Architecture.QWEN2);
            assertThat(c.config().numKvHeads()).isEqualTo(2);
            assertThat(c.config().groupSize()).isEqualTo(4);
            assertThat(c.weights().info(WeightNames.bias(0, LinearModule.Q_PROJ)).shape()).containsExactly(256);
        }
    }

    @Test
    void demoIsDeterministicBySeed() throws Exception {
        DemoCheckpointWriter.write(tmp.resolve("a"), DemoPreset.TINY, 5);
        DemoCheckpointWriter.write(tmp.resolve("b"), DemoPreset.TINY, 5);
        DemoCheckpointWriter.write(tmp.resolve("c"), DemoPreset.TINY, 6);
        byte[] a = Files.readAllBytes(tmp.resolve("a/model.safetensors"));
        assertThat(Files.readAllBytes(tmp.resolve("b/model.safetensors"))).isEqualTo(a);
        assertThat(Files.readAllBytes(tmp.resolve("c/model.safetensors"))).isNotEqualTo(a);
    }

    @Test
    void f16AndBf16TensorsReadBackWithinTheirPrecision() throws Exception {
        Random r = new Random(System.nanoTime());
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (r.nextGaussian() * 3);
        }
        Path file = tmp.resolve("t.safetensors");
        new SafetensorsWriter().add("f32", DType.F32, new long[] {10, 100}, values)
                .add("f16", DType.F16, new long[] {1000}, values)
                .add("bf16", DType.BF16, new long[] {1000}, values).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.readFloats("f32")).isEqualTo(values);
            float[] half = f.readFloats("f16");
            float[] brain = f.readFloats("bf16");
            for (int i = 0; i < values.length; i++) {
                assertThat((double) half[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) * 1e-3 + 1e-4));
                assertThat((double) brain[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) * 8e-3 + 1e-4));
            }
            TensorInfo info = f.info("f32");
            assertThat(info.shape()).containsExactly(10, 100);
        }
    }

    @Test
    void shardedCheckpointsAreReadThroughTheIndex() throws Exception {
        Path dir = demo();
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafetensorsFile whole = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (TensorInfo t : whole.tensors().values()) {
                tensors.put(t.name(), whole.readFloats(t.name()));
                shapes.put(t.name(), t.shape());
            }
        }
        SafetensorsWriter s1 = new SafetensorsWriter();
        SafetensorsWriter s2 = new SafetensorsWriter();
        ObjectNode index = JSON.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (var e : tensors.entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? s1 : s2).add(e.getKey(), DType.BF16, shapes.get(e.getKey()), e.getValue());
            map.put(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        s1.write(dir.resolve("model-00001-of-00002.safetensors"));
        s2.write(dir.resolve("model-00002-of-00002.safetensors"));
        JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
        Files.delete(dir.resolve("model.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.weights().files()).hasSize(2);
            assertThat(c.weights().floats(WeightNames.FINAL_NORM)).hasSize(256);
        }
    }

    @Test
    void malformedConfigIsNamed() throws Exception {
        Path dir = demo();
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], ");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("malformed").hasMessageContaining("config.json");
    }

    @Test
    void unsupportedArchitectureIsNamed() throws Exception {
        Path dir = demo();
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        cfg.putArray("architectures").add("GPT2LMHeadModel");
        JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("unsupported architecture 'GPT2LMHeadModel'");
    }

    @Test
    void missingFieldIsNamed() throws Exception {
        Path dir = demo();
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        cfg.remove("hidden_size");
        JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("'hidden_size' is missing");
    }

    @Test
    void configThatDisagreesWithTheTensorsIsNamed() throws Exception {
        Path dir = demo();
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        cfg.put("intermediate_size", 512);
        JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("gate_proj.weight' has shape [704, 256]")
                .hasMessageContaining("[512, 256]");
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path dir = demo();
        Map<String, float[]> kept = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (TensorInfo t : f.tensors().values()) {
                if (!t.name().equals(WeightNames.linear(2, LinearModule.V_PROJ))) {
                    kept.put(t.name(), f.readFloats(t.name()));
                    shapes.put(t.name(), t.shape());
                }
            }
        }
        SafetensorsWriter w = new SafetensorsWriter();
        kept.forEach((n, v) -> w.add(n, DType.F32, shapes.get(n), v));
        w.write(dir.resolve("model.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("missing tensor 'model.layers.2.self_attn.v_proj.weight'");
    }

    @Test
    void truncatedWeightsAreNamed() throws Exception {
        Path dir = demo();
        Path weights = dir.resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("truncated");
    }

    @Test
    void missingTokenizerIsNamed() throws Exception {
        Path dir = demo();
        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("has no tokenizer.json");
    }

    @Test
    void llama3RopeScalingReshapesOnlyLowFrequencies() {
        ModelConfig plain = DemoPreset.TINY.config(Architecture.LLAMA);
        ModelConfig scaled = new ModelConfig(Architecture.LLAMA, 256, 704, 4, 8, 2, 32, 259, 1e-6, 500000.0,
                new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192), 131072, true, false, "float32", null, java.util.List.of(1));
        ModelConfig unscaled = new ModelConfig(Architecture.LLAMA, 256, 704, 4, 8, 2, 32, 259, 1e-6, 500000.0,
                null, 131072, true, false, "float32", null, java.util.List.of(1));
        double[] s = RotaryFrequencies.inverseFrequencies(scaled);
        double[] u = RotaryFrequencies.inverseFrequencies(unscaled);
        assertThat(s[0]).isEqualTo(u[0]);                       // high frequency: unchanged
        assertThat(s[s.length - 1]).isEqualTo(u[u.length - 1] / 8.0, org.assertj.core.data.Offset.offset(1e-18)); // low: / factor
        assertThat(RotaryFrequencies.inverseFrequencies(plain)[1]).isEqualTo(Math.pow(10000.0, -2.0 / 32));
    }
}
