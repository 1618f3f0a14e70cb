package dev.ragtune.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsFile;
import dev.ragtune.model.safetensors.SafetensorsWriter;
import dev.ragtune.model.safetensors.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes adapters in Hugging Face PEFT's layout: a folder with
 * {@code adapter_config.json} and {@code adapter_model.safetensors}, tensors named
 * {@code base_model.model.model.layers.{i}.{self_attn|mlp}.{module}.lora_A.weight} ({@code [r, in]})
 * and {@code ….lora_B.weight} ({@code [out, r]}).
 */
public final class PeftAdapterIO {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final Pattern NAME = Pattern.compile(
            "^(?:base_model\\.model\\.)?model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.([a-z_]+)\\.lora_([AB])\\.weight$");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftAdapterIO() {
    }

    public static String tensorNameA(int layer, LinearModule m) {
        return PREFIX + "model.layers." + layer + "." + m.path() + ".lora_A.weight";
    }

    public static String tensorNameB(int layer, LinearModule m) {
        return PREFIX + "model.layers." + layer + "." + m.path() + ".lora_B.weight";
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (float32) into {@code dir}. */
    public static void write(LoraAdapter adapter, Path dir) throws IOException {
        Files.createDirectories(dir);
        LoraConfig c = adapter.config();
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (int l = 0; l < adapter.numLayers(); l++) {
            for (LinearModule m : c.targetModules()) {
                w.add(tensorNameA(l, m), DType.F32, new long[] {c.r(), adapter.inFeatures(m)}, adapter.a(l, m));
                w.add(tensorNameB(l, m), DType.F32, new long[] {adapter.outFeatures(m), c.r()}, adapter.b(l, m));
            }
        }
        w.write(dir.resolve(WEIGHTS_FILE));
        Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), c.toJson());
        Files.move(tmp, dir.resolve(CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads and validates an adapter for {@code model}: every tensor the config implies must be
     * present with the model's shapes, nothing else may be there, and when both the adapter and
     * the caller know the base model's content hash they must agree.
     *
     * @param expectedBaseHash {@code Checkpoint.contentHash()} of the base, or null to skip the check
     */
    public static LoraAdapter read(Path dir, ModelConfig model, String expectedBaseHash) {
        LoraAdapter adapter = read(dir, model.numLayers());
        adapter.requireCompatible(model, dir.toString());
        String recorded = adapter.config().baseModelHash();
        if (expectedBaseHash != null && recorded != null && !recorded.equals(expectedBaseHash)) {
            throw new ModelFormatException(dir.resolve(CONFIG_FILE) + ": adapter was trained on base model "
                    + recorded + " but this checkpoint is " + expectedBaseHash + "; it belongs to a different base model");
        }
        return adapter;
    }

    /** Reads an adapter without a base model to check against; the layer count comes from the tensors. */
    public static LoraAdapter read(Path dir) {
        return read(dir, -1);
    }

    private static LoraAdapter read(Path dir, int expectedLayers) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException("adapter folder " + dir + " does not exist");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new ModelFormatException("adapter folder " + dir + " has no " + CONFIG_FILE);
        }
        JsonNode root;
        try {
            root = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("malformed " + configFile + ": " + e.getMessage(), e);
        }
        LoraConfig config = LoraConfig.fromJson(root, configFile.toString());
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            String hint = Files.isRegularFile(dir.resolve("adapter_model.bin"))
                    ? " (adapter_model.bin, a pickle, is not read: save the adapter with safe_serialization=True)" : "";
            throw new ModelFormatException("adapter folder " + dir + " has no " + WEIGHTS_FILE + hint);
        }
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            return readTensors(f, config, expectedLayers);
        }
    }

    private static LoraAdapter readTensors(SafetensorsFile f, LoraConfig config, int expectedLayers) {
        String src = f.path().toString();
        int maxLayer = -1;
        Map<LinearModule, int[]> dims = new EnumMap<>(LinearModule.class);
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : f.tensors().values()) {
            Matcher mt = NAME.matcher(t.name());
            if (!mt.matches()) {
                throw new ModelFormatException(src + ": unexpected tensor '" + t.name()
                        + "'; a LoRA adapter holds only model.layers.{i}.{self_attn|mlp}.{module}.lora_{A|B}.weight");
            }
            int layer = Integer.parseInt(mt.group(1));
            String moduleName = mt.group(3);
            LinearModule m = LinearModule.byShortName(moduleName)
                    .filter(x -> x.path().equals(mt.group(2) + "." + moduleName))
                    .orElseThrow(() -> new ModelFormatException(src + ": tensor '" + t.name()
                            + "' adapts unknown module '" + mt.group(2) + "." + moduleName + "'"));
            if (!config.targetModules().contains(m)) {
                throw new ModelFormatException(src + ": tensor '" + t.name() + "' adapts " + m.shortName()
                        + ", which is not in target_modules " + config.targetModules().stream().map(LinearModule::shortName).toList());
            }
            if (expectedLayers >= 0 && layer >= expectedLayers) {
                throw new ModelFormatException(src + ": tensor '" + t.name() + "' is for layer " + layer
                        + " but the base model has " + expectedLayers + " layers; the adapter belongs to a different base model");
            }
            if (t.shape().length != 2) {
                throw new ModelFormatException(src + ": tensor '" + t.name() + "' has shape " + t.shapeString()
                        + "; LoRA matrices are two-dimensional");
            }
            boolean isA = mt.group(4).equals("A");
            long rankDim = isA ? t.shape()[0] : t.shape()[1];
            if (rankDim != config.r()) {
                throw new ModelFormatException(src + ": tensor '" + t.name() + "' has shape " + t.shapeString()
                        + " but r = " + config.r() + " (expected " + (isA ? "[r, in]" : "[out, r]") + ")");
            }
            int[] d = dims.computeIfAbsent(m, k -> new int[] {-1, -1});
            int idx = isA ? 0 : 1;
            int features = (int) (isA ? t.shape()[1] : t.shape()[0]);
            if (d[idx] >= 0 && d[idx] != features) {
                throw new ModelFormatException(src + ": tensor '" + t.name() + "' has shape " + t.shapeString()
                        + ", inconsistent with other layers' " + m.shortName() + " (" + (isA ? "in" : "out") + " = " + d[idx] + ")");
            }
            d[idx] = features;
            maxLayer = Math.max(maxLayer, layer);
            byName.put(t.name().startsWith(PREFIX) ? t.name() : PREFIX + t.name(), t);
        }
        int layers = expectedLayers >= 0 ? expectedLayers : maxLayer + 1;
        if (layers <= 0) {
            throw new ModelFormatException(src + " holds no LoRA tensors");
        }
        for (LinearModule m : config.targetModules()) {
            int[] d = dims.get(m);
            if (d == null || d[0] < 0 || d[1] < 0) {
                String missing = d == null || d[0] < 0 ? tensorNameA(0, m) : tensorNameB(0, m);
                throw new ModelFormatException(src + ": missing tensor '" + missing + "' (target module " + m.shortName() + ")");
            }
        }
        LoraAdapter adapter = LoraAdapter.empty(config, layers, dims);
        for (int l = 0; l < layers; l++) {
            for (LinearModule m : config.targetModules()) {
                String an = tensorNameA(l, m);
                String bn = tensorNameB(l, m);
                TensorInfo at = byName.get(an);
                TensorInfo bt = byName.get(bn);
                if (at == null || bt == null) {
                    throw new ModelFormatException(src + ": missing tensor '" + (at == null ? an : bn) + "'");
                }
                adapter.set(l, m, finite(src, at.name(), f.readFloats(at.name())), finite(src, bt.name(), f.readFloats(bt.name())));
            }
        }
        return adapter;
    }

    private static float[] finite(String src, String name, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new ModelFormatException(src + ": tensor '" + name + "' holds " + v[i] + " at element " + i
                        + "; the adapter is corrupted");
            }
        }
        return v;
    }

    /** Converts a PEFT folder to {@code adapter.onnx_adapter} beside it (or at {@code target}). */
    public static void convertToOnnxAdapter(Path peftDir, Path target) {
        try {
            OnnxAdapterWriter.write(read(peftDir), target, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
