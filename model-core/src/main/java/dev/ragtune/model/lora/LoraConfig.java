package dev.ragtune.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.ModelFormatException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The hyperparameters of a LoRA adapter, as PEFT records them in {@code adapter_config.json}.
 *
 * <p>A target module {@code W [out, in]} becomes {@code h = W x + scale · B A x} with
 * {@code A [r, in]}, {@code B [out, r]} and {@code scale = alpha / r} ({@code alpha / √r} when
 * {@code use_rslora}).
 *
 * @param r                    the rank
 * @param alpha                PEFT's {@code lora_alpha}
 * @param targetModules        the adapted projections, in {@link LinearModule} order
 * @param baseModelNameOrPath  PEFT's {@code base_model_name_or_path} (informative; may be null)
 * @param dropout              PEFT's {@code lora_dropout} (training only; ignored at inference)
 * @param useRslora            rank-stabilised scaling {@code alpha / √r}
 * @param baseModelHash        {@code Checkpoint.contentHash()} of the base the adapter was trained
 *                             on, kept under the {@code ragtune} key; null when unknown
 */
public record LoraConfig(int r, double alpha, List<LinearModule> targetModules, String baseModelNameOrPath,
                         double dropout, boolean useRslora, String baseModelHash) {

    /** Key of ragtune's own entries inside {@code adapter_config.json}; PEFT ignores it. */
    public static final String RAGTUNE_KEY = "ragtune";
    private static final ObjectMapper JSON = new ObjectMapper();

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + r);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be a positive number, got " + alpha);
        }
        if (targetModules.isEmpty()) {
            throw new IllegalArgumentException("a LoRA adapter needs at least one target module");
        }
        targetModules = targetModules.stream().distinct().sorted(Comparator.naturalOrder()).toList();
    }

    public LoraConfig(int r, double alpha, List<LinearModule> targetModules) {
        this(r, alpha, targetModules, null, 0.0, false, null);
    }

    /** The factor in front of {@code B A x}. */
    public double scale() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    public LoraConfig withBase(String nameOrPath, String hash) {
        return new LoraConfig(r, alpha, targetModules, nameOrPath, dropout, useRslora, hash);
    }

    /** The {@code adapter_config.json} object, with every field PEFT writes for a LoRA adapter. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("alpha_pattern");
        o.putNull("auto_mapping");
        if (baseModelNameOrPath == null) {
            o.putNull("base_model_name_or_path");
        } else {
            o.put("base_model_name_or_path", baseModelNameOrPath);
        }
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        o.putNull("layers_pattern");
        o.putNull("layers_to_transform");
        if (alpha == Math.rint(alpha) && alpha < Integer.MAX_VALUE) {
            o.put("lora_alpha", (int) alpha); // PEFT writes an int when it was given one
        } else {
            o.put("lora_alpha", alpha);
        }
        o.put("lora_dropout", dropout);
        o.putNull("modules_to_save");
        o.put("peft_type", "LORA");
        o.put("r", r);
        o.putObject("rank_pattern");
        o.putNull("revision");
        var t = o.putArray("target_modules");
        targetModules.forEach(m -> t.add(m.shortName()));
        o.put("task_type", "CAUSAL_LM");
        o.put("use_dora", false);
        o.put("use_rslora", useRslora);
        if (baseModelHash != null) {
            o.putObject(RAGTUNE_KEY).put("base_model_hash", baseModelHash);
        }
        return o;
    }

    /**
     * Parses {@code adapter_config.json}. Every PEFT feature this project cannot serve exactly
     * (DoRA, per-module rank or alpha patterns, biases, fan-in-fan-out layouts, unknown target
     * modules) is rejected with a message naming the field.
     */
    public static LoraConfig fromJson(JsonNode o, String source) {
        if (o == null || !o.isObject()) {
            throw new ModelFormatException(source + ": expected a JSON object");
        }
        String peftType = o.path("peft_type").asText("LORA");
        if (!"LORA".equals(peftType)) {
            throw new ModelFormatException(source + ": peft_type '" + peftType + "' is not supported (only LORA)");
        }
        JsonNode rNode = o.get("r");
        if (rNode == null || !rNode.isIntegralNumber() || rNode.asInt() <= 0) {
            throw new ModelFormatException(source + ": 'r' must be a positive integer, got " + rNode);
        }
        int r = rNode.asInt();
        JsonNode alphaNode = o.get("lora_alpha");
        double alpha = alphaNode == null || alphaNode.isNull() ? 8.0 : alphaNode.asDouble(Double.NaN);
        if (alphaNode != null && !alphaNode.isNull() && !alphaNode.isNumber() || !(alpha > 0)) {
            throw new ModelFormatException(source + ": 'lora_alpha' must be a positive number, got " + alphaNode);
        }
        String bias = o.path("bias").asText("none");
        if (!"none".equals(bias)) {
            throw new ModelFormatException(source + ": bias '" + bias + "' is not supported (only \"none\")");
        }
        if (o.path("fan_in_fan_out").asBoolean(false)) {
            throw new ModelFormatException(source + ": fan_in_fan_out=true is not supported for Llama-family models");
        }
        if (o.path("use_dora").asBoolean(false)) {
            throw new ModelFormatException(source + ": DoRA adapters (use_dora=true) are not supported");
        }
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            JsonNode p = o.path(pattern);
            if (p.isObject() && !p.isEmpty()) {
                throw new ModelFormatException(source + ": per-module '" + pattern + "' is not supported");
            }
        }
        JsonNode layers = o.path("layers_to_transform");
        if (!layers.isMissingNode() && !layers.isNull()) {
            throw new ModelFormatException(source + ": 'layers_to_transform' is not supported; adapt every layer");
        }
        JsonNode save = o.path("modules_to_save");
        if (save.isArray() && !save.isEmpty()) {
            throw new ModelFormatException(source + ": 'modules_to_save' " + save + " is not supported");
        }
        List<LinearModule> targets = new ArrayList<>();
        JsonNode tm = o.get("target_modules");
        if (tm == null || tm.isNull()) {
            throw new ModelFormatException(source + ": 'target_modules' is missing");
        }
        List<String> names = new ArrayList<>();
        if (tm.isArray()) {
            tm.forEach(n -> names.add(n.asText()));
        } else if (tm.isTextual()) {
            names.add(tm.asText());
        } else {
            throw new ModelFormatException(source + ": 'target_modules' must be a list of module names, got " + tm);
        }
        if (names.isEmpty()) {
            throw new ModelFormatException(source + ": 'target_modules' is empty");
        }
        for (String name : names) {
            targets.add(LinearModule.byShortName(name).orElseThrow(() -> new ModelFormatException(source
                    + ": unknown target module '" + name + "'; supported: "
                    + LinearModule.known().stream().map(LinearModule::shortName).toList())));
        }
        String base = o.hasNonNull("base_model_name_or_path") ? o.get("base_model_name_or_path").asText() : null;
        String hash = o.path(RAGTUNE_KEY).hasNonNull("base_model_hash")
                ? o.path(RAGTUNE_KEY).get("base_model_hash").asText() : null;
        return new LoraConfig(r, alpha, targets, base, o.path("lora_dropout").asDouble(0.0),
                o.path("use_rslora").asBoolean(false), hash);
    }
}
