package dev.ragtune.model.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.WeightNames;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a deterministic random-weight checkpoint in exactly the Hugging Face layout
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json},
 * {@code tokenizer_config.json}, {@code generation_config.json}). The same preset and seed always
 * give the same bytes: each tensor draws from its own generator seeded by the seed and its name.
 */
public final class DemoCheckpointWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Standard deviation of weight initialisation, as transformers' {@code initializer_range}. */
    private static final double INIT_STD = 0.02;

    private DemoCheckpointWriter() {
    }

    public static ModelConfig write(Path out, DemoPreset preset, long seed) throws IOException {
        return write(out, preset, seed, Architecture.QWEN2);
    }

    public static ModelConfig write(Path out, DemoPreset preset, long seed, Architecture architecture) throws IOException {
        ModelConfig c = preset.config(architecture);
        Files.createDirectories(out);
        DType dtype = "bfloat16".equals(c.torchDtype()) ? DType.BF16 : DType.F32;

        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt")
                .metadata("ragtune.demo", preset.cliName() + " seed=" + seed);
        // every tensor of the family's layout: norm scales around 1 (Gemma stores w of 1 + w), the rest N(0, INIT_STD)
        double normMean = 1 - c.spec().normWeightOffset();
        c.tensorShapes().forEach((name, shape) -> {
            int count = (int) java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
            boolean norm = name.endsWith("norm.weight");
            w.add(name, dtype, shape, () -> gaussian(seed, name, count, norm ? normMean : 0, norm ? 0.1 : INIT_STD));
        });
        w.write(out.resolve("model.safetensors"));

        JSON.writeValue(out.resolve("config.json").toFile(), c.toJson());
        JSON.writeValue(out.resolve("tokenizer.json").toFile(), ByteLevelTokenizerJson.tokenizerJson(JSON));
        JSON.writeValue(out.resolve("tokenizer_config.json").toFile(), ByteLevelTokenizerJson.tokenizerConfigJson(JSON));
        var gen = JSON.createObjectNode();
        gen.put("eos_token_id", c.eosTokenIds().get(0));
        gen.put("do_sample", false);
        JSON.writeValue(out.resolve("generation_config.json").toFile(), gen);
        Files.writeString(out.resolve("README.md"), "# ragtune demo checkpoint\n\nPreset `" + preset.cliName()
                + "`, seed " + seed + ", architecture " + c.architecture().hfName()
                + ". Random weights: it knows nothing until an adapter teaches it.\n", StandardCharsets.UTF_8);
        return c;
    }

    private static float[] gaussian(long seed, String name, int count, double mean, double std) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        return v;
    }
}
