package dev.ragtune.model.checkpoint;

import dev.ragtune.model.ModelFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Hugging Face {@code config.json} that define a Llama-family decoder.
 *
 * @param headDim       per-head dimension; {@code hidden_size / num_attention_heads} unless given
 * @param qkvBias       q/k/v projections carry a bias (Qwen2, or Llama's {@code attention_bias})
 * @param eosTokenIds   every id that ends generation
 */
public record ModelConfig(
        Architecture architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        String torchDtype,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        List<Integer> slidingWindows,
        double partialRotaryFactor,
        double ropeLocalBaseFreq,
        double queryPreAttnScalar,
        double attnLogitSoftcapping,
        double finalLogitSoftcapping) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param slidingWindows      per layer: how many most recent keys (the query's own included) a query
     *                            sees; 0 for full causal attention
     * @param partialRotaryFactor the fraction of each head's dimensions that RoPE rotates (Phi-4-mini: 0.75)
     * @param ropeLocalBaseFreq   Gemma: the RoPE base of the sliding-window (local) layers, without scaling; 0 otherwise
     * @param queryPreAttnScalar  scores are scaled by {@code 1/√queryPreAttnScalar} (Gemma); 0: by {@code 1/√head_dim}
     * @param attnLogitSoftcapping  {@code c · tanh(scores / c)} before the mask when positive (Gemma 2-style)
     * @param finalLogitSoftcapping {@code c · tanh(logits / c)} when positive
     */
    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        slidingWindows = slidingWindows == null ? java.util.Collections.nCopies(numLayers, 0) : List.copyOf(slidingWindows);
        if (slidingWindows.size() != numLayers) {
            throw new IllegalArgumentException("slidingWindows has " + slidingWindows.size() + " entries for " + numLayers + " layers");
        }
    }

    /** A config with full attention on every layer and RoPE over the whole head. */
    public ModelConfig(Architecture architecture, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                       int numKvHeads, int headDim, int vocabSize, double rmsNormEps, double ropeTheta,
                       RopeScaling ropeScaling, int maxPositionEmbeddings, boolean tieWordEmbeddings, boolean qkvBias,
                       String torchDtype, Integer bosTokenId, List<Integer> eosTokenIds) {
        this(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize, rmsNormEps,
                ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, qkvBias, torchDtype, bosTokenId,
                eosTokenIds, null, 1.0, 0, 0, 0, 0);
    }

    /** Queries are scaled by this before the dot product with the keys. */
    public double attentionScale() {
        return 1.0 / Math.sqrt(queryPreAttnScalar > 0 ? queryPreAttnScalar : headDim);
    }

    /** Gemma's local layers: a sliding window and their own RoPE base, without rope scaling. */
    public boolean localRope(int layer) {
        return ropeLocalBaseFreq > 0 && slidingWindows.get(layer) > 0;
    }

    public ArchitectureSpec spec() {
        return architecture.spec();
    }

    /** The layer's linear projections (the possible LoRA targets) of this family. */
    public List<LinearModule> projections() {
        return architecture.spec().projections();
    }

    /** 0: full causal attention on {@code layer}; else the window. */
    public int slidingWindow(int layer) {
        return slidingWindows.get(layer);
    }

    /** Dimensions of each head that RoPE rotates (even); the rest pass through. */
    public int rotaryDim() {
        return (int) (headDim * partialRotaryFactor);
    }

    /**
     * Every tensor of the checkpoint with its shape, in the family's layout: the one list that
     * validation and the checkpoint writers share.
     */
    public java.util.LinkedHashMap<String, long[]> tensorShapes() {
        var t = new java.util.LinkedHashMap<String, long[]>();
        t.put(WeightNames.EMBED, new long[] {vocabSize, hiddenSize});
        for (int i = 0; i < numLayers; i++) {
            t.put(WeightNames.inputNorm(i), new long[] {hiddenSize});
            for (LinearModule m : projections()) {
                t.put(WeightNames.linear(i, m), new long[] {m.outFeatures(this), m.inFeatures(this)});
                if (m.hasBias(this)) {
                    t.put(WeightNames.bias(i, m), new long[] {m.outFeatures(this)});
                }
                if (m == LinearModule.O_PROJ) {
                    if (spec().qkNorm()) {
                        t.put(WeightNames.qNorm(i), new long[] {headDim});
                        t.put(WeightNames.kNorm(i), new long[] {headDim});
                    }
                    t.put(WeightNames.postAttentionNorm(i), new long[] {hiddenSize});
                    if (spec().sandwichNorms()) {
                        t.put(WeightNames.preFeedforwardNorm(i), new long[] {hiddenSize});
                        t.put(WeightNames.postFeedforwardNorm(i), new long[] {hiddenSize});
                    }
                }
            }
        }
        t.put(WeightNames.FINAL_NORM, new long[] {hiddenSize});
        if (!tieWordEmbeddings) {
            t.put(WeightNames.LM_HEAD, new long[] {vocabSize, hiddenSize});
        }
        return t;
    }

    /** Number of query heads that share one key/value head (grouped-query attention). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("missing " + file + ": a Hugging Face checkpoint needs config.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("malformed " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException("malformed " + file + ": expected a JSON object");
        }
        return parse(root, file.toString());
    }

    public static ModelConfig parse(JsonNode root, String source) {
        JsonNode archs = root.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            throw new ModelFormatException(source + ": 'architectures' is missing; expected one of " + Architecture.supportedNames());
        }
        String archName = archs.get(0).asText();
        Architecture arch = Architecture.fromHfName(archName).orElseThrow(() -> new ModelFormatException(
                source + ": unsupported architecture '" + archName + "'; supported: " + Architecture.supportedNames()));

        int hidden = positiveInt(root, "hidden_size", source);
        int heads = positiveInt(root, "num_attention_heads", source);
        int kvHeads = root.has("num_key_value_heads") ? positiveInt(root, "num_key_value_heads", source) : heads;
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(source + ": num_attention_heads (" + heads + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        int headDim = root.hasNonNull("head_dim") ? positiveInt(root, "head_dim", source) : hidden / heads;
        if (!root.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ModelFormatException(source + ": hidden_size (" + hidden + ") is not divisible by num_attention_heads (" + heads + ")");
        }
        if (headDim % 2 != 0) {
            throw new ModelFormatException(source + ": head dimension " + headDim + " must be even for rotary embeddings");
        }

        int layers = positiveInt(root, "num_hidden_layers", source);
        int maxPos = root.path("max_position_embeddings").asInt(4096);
        double partial = root.path("partial_rotary_factor").asDouble(1.0);
        if (!(partial > 0 && partial <= 1)) {
            throw new ModelFormatException(source + ": partial_rotary_factor must be in (0, 1], got " + partial);
        }
        int rotaryDim = (int) (headDim * partial);
        if (rotaryDim % 2 != 0 || rotaryDim == 0) {
            throw new ModelFormatException(source + ": the rotary dimension head_dim · partial_rotary_factor = " + rotaryDim
                    + " must be even and positive");
        }
        String expectedAct = arch.spec().activation() == ArchitectureSpec.Activation.SILU ? "silu" : "gelu_pytorch_tanh";
        String act = root.hasNonNull("hidden_activation") ? root.get("hidden_activation").asText()
                : root.hasNonNull("hidden_act") ? root.get("hidden_act").asText() : expectedAct;
        if (!expectedAct.equals(act)) {
            throw new ModelFormatException(source + ": hidden activation '" + act + "' is not supported for " + archName
                    + " (only " + expectedAct + ")");
        }

        RopeScaling scaling = null;
        JsonNode rs = root.path("rope_scaling");
        if (rs.isObject()) {
            String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText("");
            if ("llama3".equals(type)) {
                scaling = new RopeScaling(type, rs.path("factor").asDouble(8.0), rs.path("low_freq_factor").asDouble(1.0),
                        rs.path("high_freq_factor").asDouble(4.0), rs.path("original_max_position_embeddings").asInt(8192));
            } else if ("linear".equals(type)) {
                scaling = new RopeScaling(type, rs.path("factor").asDouble(1.0), 0, 0, 0);
            } else if ("longrope".equals(type) || "su".equals(type)) {
                scaling = longrope(root, rs, rotaryDim, maxPos, source);
            } else if (!"default".equals(type)) {
                throw new ModelFormatException(source + ": rope_scaling type '" + type
                        + "' is not supported (supported: default, linear, llama3, longrope)");
            }
        }
        List<Integer> windows = slidingWindows(root, arch, layers, source);

        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = root.path("eos_token_id");
        if (eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        } else if (eosNode.isNumber()) {
            eos.add(eosNode.asInt());
        }
        boolean qkvBias = root.has("attention_bias") ? root.get("attention_bias").asBoolean() : arch.qkvBiasByDefault();

        return new ModelConfig(arch, hidden, positiveInt(root, "intermediate_size", source),
                layers, heads, kvHeads, headDim,
                positiveInt(root, "vocab_size", source), root.path("rms_norm_eps").asDouble(1e-6),
                root.path("rope_theta").asDouble(10000.0), scaling, maxPos,
                root.path("tie_word_embeddings").asBoolean(arch.spec().tiedByDefault()), qkvBias, root.path("torch_dtype").asText("float32"),
                root.hasNonNull("bos_token_id") ? root.get("bos_token_id").asInt() : null, eos, windows, partial,
                arch.spec().slidingWindow() == ArchitectureSpec.SlidingWindowRule.GEMMA_PATTERN
                        ? root.path("rope_local_base_freq").asDouble(10000.0) : 0,
                root.hasNonNull("query_pre_attn_scalar") ? root.get("query_pre_attn_scalar").asDouble() : 0,
                softcap(root, "attn_logit_softcapping", source), softcap(root, "final_logit_softcapping", source));
    }

    private static double softcap(JsonNode root, String field, String source) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return 0;
        }
        if (!n.isNumber() || !(n.asDouble() > 0)) {
            throw new ModelFormatException(source + ": '" + field + "' must be a positive number or null, got " + n);
        }
        return n.asDouble();
    }

    /** Hugging Face's longrope: the factor and attention factor from {@code original_max_position_embeddings}. */
    private static RopeScaling longrope(JsonNode root, JsonNode rs, int rotaryDim, int maxPos, String source) {
        double[] shortF = factors(rs, "short_factor", rotaryDim / 2, source);
        double[] longF = factors(rs, "long_factor", rotaryDim / 2, source);
        int original;
        double factor;
        if (root.hasNonNull("original_max_position_embeddings")) {
            original = root.get("original_max_position_embeddings").asInt();
            factor = (double) maxPos / original;
        } else if (rs.hasNonNull("original_max_position_embeddings")) {
            original = rs.get("original_max_position_embeddings").asInt();
            factor = rs.path("factor").asDouble((double) maxPos / original);
        } else {
            original = maxPos;
            factor = rs.path("factor").asDouble(1.0);
        }
        if (original <= 0) {
            throw new ModelFormatException(source + ": original_max_position_embeddings must be positive");
        }
        double attention = rs.hasNonNull("attention_factor") ? rs.get("attention_factor").asDouble()
                : factor <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
        return RopeScaling.longrope(shortF, longF, original, factor, attention);
    }

    private static double[] factors(JsonNode rs, String field, int expected, String source) {
        JsonNode n = rs.path(field);
        if (!n.isArray() || n.size() != expected) {
            throw new ModelFormatException(source + ": rope_scaling." + field + " must be a list of " + expected
                    + " numbers (rotary dimension / 2), got " + (n.isMissingNode() ? "nothing" : n.size() + " entries"));
        }
        double[] f = new double[expected];
        for (int i = 0; i < expected; i++) {
            if (!n.get(i).isNumber() || !(n.get(i).asDouble() > 0)) {
                throw new ModelFormatException(source + ": rope_scaling." + field + "[" + i + "] must be a positive number");
            }
            f[i] = n.get(i).asDouble();
        }
        return f;
    }

    /** Per layer, from the family's rule for {@code sliding_window}. */
    private static List<Integer> slidingWindows(JsonNode root, Architecture arch, int layers, String source) {
        Integer[] w = new Integer[layers];
        java.util.Arrays.fill(w, 0);
        JsonNode sw = root.path("sliding_window");
        if (sw.isNull() || sw.isMissingNode()) {
            return List.of(w);
        }
        if (!sw.isIntegralNumber() || sw.asInt() <= 0) {
            throw new ModelFormatException(source + ": 'sliding_window' must be a positive integer or null, got " + sw);
        }
        int window = sw.asInt();
        switch (arch.spec().slidingWindow()) {
            case NONE -> { }
            case ALL_LAYERS -> java.util.Arrays.fill(w, window);
            case GEMMA_PATTERN -> {
                JsonNode types = root.path("layer_types");
                int pattern = root.path("sliding_window_pattern").asInt(6);
                for (int i = 0; i < layers; i++) {
                    boolean sliding = types.isArray() && types.size() == layers
                            ? "sliding_attention".equals(types.get(i).asText()) : (i + 1) % pattern != 0;
                    w[i] = sliding ? window : 0;
                }
            }
            case QWEN_FROM_MAX_WINDOW_LAYERS -> {
                if (root.path("use_sliding_window").asBoolean(false)) {
                    int from = root.path("max_window_layers").asInt(layers);
                    for (int i = Math.max(0, from); i < layers; i++) {
                        w[i] = window;
                    }
                }
            }
        }
        return List.of(w);
    }

    private static int positiveInt(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ModelFormatException(source + ": required field '" + field + "' is missing");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
            throw new ModelFormatException(source + ": '" + field + "' must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    /** The config as Hugging Face writes it, for checkpoints this project generates. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(architecture.hfName());
        o.put("model_type", spec().modelType());
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("num_hidden_layers", numLayers);
        o.put("num_attention_heads", numHeads);
        o.put("num_key_value_heads", numKvHeads);
        o.put("head_dim", headDim);
        o.put("vocab_size", vocabSize);
        o.put("rms_norm_eps", rmsNormEps);
        o.put("rope_theta", ropeTheta);
        if (ropeScaling != null && ropeScaling.isLongrope()) {
            ObjectNode rs = o.putObject("rope_scaling");
            rs.put("type", "longrope");
            java.util.Arrays.stream(ropeScaling.shortFactor()).forEach(rs.putArray("short_factor")::add);
            java.util.Arrays.stream(ropeScaling.longFactor()).forEach(rs.putArray("long_factor")::add);
            if (ropeScaling.factor() > 1.0) {
                o.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
            }
        } else if (ropeScaling != null && "linear".equals(ropeScaling.type())) {
            o.putObject("rope_scaling").put("rope_type", "linear").put("factor", ropeScaling.factor());
        } else if (ropeScaling != null) {
            ObjectNode rs = o.putObject("rope_scaling");
            rs.put("rope_type", ropeScaling.type());
            rs.put("factor", ropeScaling.factor());
            rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
            rs.put("high_freq_factor", ropeScaling.highFreqFactor());
            rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
        }
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("tie_word_embeddings", tieWordEmbeddings);
        if (!spec().qkvBiasByDefault()) {
            o.put("attention_bias", qkvBias);
        }
        if (spec().activation() == ArchitectureSpec.Activation.SILU) {
            o.put("hidden_act", "silu");
        } else {
            o.put("hidden_activation", "gelu_pytorch_tanh");
        }
        if (ropeLocalBaseFreq > 0) {
            o.put("rope_local_base_freq", ropeLocalBaseFreq);
            var types = o.putArray("layer_types");
            slidingWindows.forEach(w -> types.add(w > 0 ? "sliding_attention" : "full_attention"));
        }
        if (queryPreAttnScalar > 0) {
            o.put("query_pre_attn_scalar", queryPreAttnScalar);
        }
        if (attnLogitSoftcapping > 0) {
            o.put("attn_logit_softcapping", attnLogitSoftcapping);
        }
        if (finalLogitSoftcapping > 0) {
            o.put("final_logit_softcapping", finalLogitSoftcapping);
        }
        if (partialRotaryFactor != 1.0) {
            o.put("partial_rotary_factor", partialRotaryFactor);
        }
        int window = slidingWindows.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (window > 0) {
            o.put("sliding_window", window);
            if (spec().slidingWindow() == ArchitectureSpec.SlidingWindowRule.QWEN_FROM_MAX_WINDOW_LAYERS) {
                o.put("use_sliding_window", true);
                o.put("max_window_layers", slidingWindows.indexOf(window));
            }
        } else {
            o.putNull("sliding_window");
        }
        o.put("torch_dtype", torchDtype);
        if (bosTokenId != null) {
            o.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            o.put("eos_token_id", eosTokenIds.get(0));
        } else {
            ArrayNode a = o.putArray("eos_token_id");
            eosTokenIds.forEach(a::add);
        }
        return o;
    }
}
