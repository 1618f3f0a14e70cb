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
        List<Integer> eosTokenIds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
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

        RopeScaling scaling = null;
        JsonNode rs = root.path("rope_scaling");
        if (rs.isObject()) {
            String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText("");
            if (!"llama3".equals(type) && !"default".equals(type)) {
                throw new ModelFormatException(source + ": rope_scaling type '" + type + "' is not supported (supported: llama3)");
            }
            if ("llama3".equals(type)) {
                scaling = new RopeScaling(type, rs.path("factor").asDouble(8.0), rs.path("low_freq_factor").asDouble(1.0),
                        rs.path("high_freq_factor").asDouble(4.0), rs.path("original_max_position_embeddings").asInt(8192));
            }
        }

        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = root.path("eos_token_id");
        if (eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        } else if (eosNode.isNumber()) {
            eos.add(eosNode.asInt());
        }
        boolean qkvBias = root.has("attention_bias") ? root.get("attention_bias").asBoolean() : arch.qkvBiasByDefault();

        return new ModelConfig(arch, hidden, positiveInt(root, "intermediate_size", source),
                positiveInt(root, "num_hidden_layers", source), heads, kvHeads, headDim,
                positiveInt(root, "vocab_size", source), root.path("rms_norm_eps").asDouble(1e-6),
                root.path("rope_theta").asDouble(10000.0), scaling, root.path("max_position_embeddings").asInt(4096),
                root.path("tie_word_embeddings").asBoolean(false), qkvBias, root.path("torch_dtype").asText("float32"),
                root.hasNonNull("bos_token_id") ? root.get("bos_token_id").asInt() : null, eos);
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
        o.put("model_type", switch (architecture) {
            case LLAMA -> "llama";
            case QWEN2 -> "qwen2";
            case MISTRAL -> "mistral";
        });
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("num_hidden_layers", numLayers);
        o.put("num_attention_heads", numHeads);
        o.put("num_key_value_heads", numKvHeads);
        o.put("head_dim", headDim);
        o.put("vocab_size", vocabSize);
        o.put("rms_norm_eps", rmsNormEps);
        o.put("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            ObjectNode rs = o.putObject("rope_scaling");
            rs.put("rope_type", ropeScaling.type());
            rs.put("factor", ropeScaling.factor());
            rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
            rs.put("high_freq_factor", ropeScaling.highFreqFactor());
            rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
        }
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("tie_word_embeddings", tieWordEmbeddings);
        if (architecture != Architecture.QWEN2) {
            o.put("attention_bias", qkvBias);
        }
        o.put("hidden_act", "silu");
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
