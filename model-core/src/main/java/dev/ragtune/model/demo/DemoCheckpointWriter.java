package dev.ragtune.model.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.List;
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

        writeRandomWeights(out.resolve("model.safetensors"), c, dtype, seed, preset.cliName() + " seed=" + seed);

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

    /**
     * Random weights for every tensor {@code c} implies, in the family's layout: norm scales around 1
     * (Gemma stores w of 1 + w) with std 0.1, the rest N(0, {@value #INIT_STD}), each tensor from its own
     * generator seeded by the seed and its name (same seed, same bytes).
     */
    public static void writeRandomWeights(Path file, ModelConfig c, DType dtype, long seed, String tag) throws IOException {
        writeRandomWeights(file, c, dtype, seed, tag, name -> name.endsWith("norm.weight") ? 0.1 : INIT_STD);
    }

    /** As {@link #writeRandomWeights(Path, ModelConfig, DType, long, String)}, with each tensor's std given by name. */
    public static void writeRandomWeights(Path file, ModelConfig c, DType dtype, long seed, String tag,
                                          java.util.function.ToDoubleFunction<String> stdOf) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("ragtune.demo", tag);
        double normMean = 1 - c.spec().normWeightOffset();
        c.tensorShapes().forEach((name, shape) -> {
            int count = (int) java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
            boolean norm = name.endsWith("norm.weight");
            double std = stdOf.applyAsDouble(name);
            w.add(name, dtype, shape, () -> gaussian(seed, name, count, norm ? normMean : 0, std));
        });
        w.write(file);
    }

    /** Files copied from the {@code --like} folder when present (the first two are required). */
    private static final List<String> LIKE_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json", "special_tokens_map.json");

    /**
     * A random-weight checkpoint shaped like a real one: {@code like}'s {@code config.json} with
     * {@code num_hidden_layers} set to {@code layers} (per-layer lists such as {@code layer_types} cut to
     * the first {@code layers} entries, {@code max_window_layers} clamped), its tokenizer files copied
     * unchanged, and random weights (see {@link #writeRandomWeights}) in the config's dtype and exact layout.
     * The vocabulary always stays the real one (it must match the tokenizer).
     *
     * @param hidden       0 keeps {@code hidden_size}; otherwise the new width. Where the config has no
     *                     explicit {@code head_dim} (Phi-3, Qwen2), the head width is kept and the head
     *                     counts shrink to {@code hidden / head_dim} (so {@code hidden} must be a multiple of it);
     *                     an explicit {@code head_dim} keeps the head counts as they are.
     * @param intermediate 0 keeps {@code intermediate_size}
     */
    public static ModelConfig writeLike(Path like, int layers, int hidden, int intermediate, long seed, Path out)
            throws IOException {
        Path configFile = like.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(like + " has no config.json");
        }
        for (String f : LIKE_FILES.subList(0, 2)) {
            if (!Files.isRegularFile(like.resolve(f))) {
                throw new IllegalArgumentException(like + " has no " + f);
            }
        }
        ObjectNode cfg = (ObjectNode) JSON.readTree(configFile.toFile());
        ObjectNode shaped = likeConfig(cfg, layers, hidden, intermediate, configFile.toString());
        ModelConfig c = ModelConfig.parse(shaped, configFile + " (reshaped)");
        Files.createDirectories(out);
        DType dtype = "bfloat16".equals(c.torchDtype()) ? DType.BF16 : DType.F32;
        writeRandomWeights(out.resolve("model.safetensors"), c, dtype, seed,
                "like " + like.getFileName() + " layers=" + layers + " seed=" + seed);
        JSON.writeValue(out.resolve("config.json").toFile(), shaped);
        for (String f : LIKE_FILES) {
            if (Files.isRegularFile(like.resolve(f))) {
                Files.copy(like.resolve(f), out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(out.resolve("README.md"), "# ragtune random checkpoint\n\nShaped like `" + like
                + "` (" + c.architecture().hfName() + "): " + layers + " layers, hidden " + c.hiddenSize()
                + ", intermediate " + c.intermediateSize() + ", vocab " + c.vocabSize() + ", seed " + seed
                + ". Real config and tokenizer, random weights: it knows nothing until an adapter teaches it.\n",
                StandardCharsets.UTF_8);
        return c;
    }

    /** {@code cfg} (left unchanged) with the layer count and optional widths replaced consistently. */
    public static ObjectNode likeConfig(ObjectNode cfg, int layers, int hidden, int intermediate, String source) {
        if (layers < 1) {
            throw new IllegalArgumentException("layers must be at least 1, got " + layers);
        }
        ObjectNode o = cfg.deepCopy();
        int realLayers = o.path("num_hidden_layers").asInt(0);
        if (realLayers > 0 && layers > realLayers) {
            throw new IllegalArgumentException(source + " has " + realLayers + " layers; cannot make " + layers);
        }
        o.put("num_hidden_layers", layers);
        // per-layer lists (layer_types of Gemma 3 / Qwen3): the first `layers` entries
        var names = new java.util.ArrayList<String>();
        o.fieldNames().forEachRemaining(names::add);
        for (String f : names) {
            JsonNode v = o.get(f);
            if (v.isArray() && realLayers > 0 && v.size() == realLayers && f.startsWith("layer")) {
                ArrayNode cut = o.putArray(f);
                for (int i = 0; i < layers; i++) {
                    cut.add(v.get(i));
                }
            }
        }
        if (o.has("max_window_layers") && o.get("max_window_layers").isIntegralNumber()) {
            o.put("max_window_layers", Math.min(o.get("max_window_layers").asInt(), layers));
        }
        if (hidden > 0) {
            int realHidden = o.path("hidden_size").asInt();
            int heads = o.path("num_attention_heads").asInt();
            int kv = o.path("num_key_value_heads").asInt(heads);
            if (!o.hasNonNull("head_dim") && heads > 0) {
                int headDim = realHidden / heads;
                if (hidden % headDim != 0) {
                    throw new IllegalArgumentException(source + ": head_dim is " + headDim
                            + " (hidden_size / num_attention_heads); --hidden must be a multiple of it, got " + hidden);
                }
                int newHeads = hidden / headDim;
                int newKv = Math.max(1, kv * newHeads / heads);
                while (newHeads % newKv != 0) {
                    newKv--;
                }
                o.put("num_attention_heads", newHeads);
                o.put("num_key_value_heads", newKv);
            }
            o.put("hidden_size", hidden);
        }
        if (intermediate > 0) {
            o.put("intermediate_size", intermediate);
        }
        return o;
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
