package dev.ragtune.model.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.ModelConfig;

/**
 * {@code genai_config.json} in ONNX Runtime GenAI's schema, so that an exported folder can also be
 * served by {@code onnxruntime-genai} where its native library loads.
 */
final class GenAiConfig {
    private GenAiConfig() {
    }

    static ObjectNode of(ModelConfig c, ObjectMapper json, int contextLength) {
        ObjectNode root = json.createObjectNode();
        ObjectNode model = root.putObject("model");
        if (c.bosTokenId() != null) {
            model.put("bos_token_id", c.bosTokenId());
        }
        model.put("context_length", contextLength);
        if (c.eosTokenIds().size() == 1) {
            model.put("eos_token_id", c.eosTokenIds().get(0));
        } else {
            var eos = model.putArray("eos_token_id");
            c.eosTokenIds().forEach(eos::add);
        }
        model.put("pad_token_id", c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().get(0));
        model.put("type", c.architecture().spec().modelType());
        model.put("vocab_size", c.vocabSize());
        ObjectNode decoder = model.putObject("decoder");
        decoder.put("filename", OnnxExporter.MODEL_FILE);
        decoder.put("head_size", c.headDim());
        decoder.put("hidden_size", c.hiddenSize());
        decoder.put("num_attention_heads", c.numHeads());
        decoder.put("num_key_value_heads", c.numKvHeads());
        decoder.put("num_hidden_layers", c.numLayers());
        decoder.putObject("session_options").put("log_id", "ragtune");
        ObjectNode inputs = decoder.putObject("inputs");
        inputs.put("input_ids", "input_ids");
        inputs.put("attention_mask", "attention_mask");
        inputs.put("position_ids", "position_ids");
        inputs.put("past_key_names", "past_key_values.%d.key");
        inputs.put("past_value_names", "past_key_values.%d.value");
        ObjectNode outputs = decoder.putObject("outputs");
        outputs.put("logits", "logits");
        outputs.put("present_key_names", "present.%d.key");
        outputs.put("present_value_names", "present.%d.value");
        ObjectNode search = root.putObject("search");
        search.put("do_sample", false);
        search.put("max_length", contextLength);
        search.put("min_length", 0);
        search.put("num_beams", 1);
        search.put("num_return_sequences", 1);
        search.put("past_present_share_buffer", false);
        search.put("repetition_penalty", 1.0);
        search.put("temperature", 1.0);
        search.put("top_k", 1);
        search.put("top_p", 1.0);
        return root;
    }
}
