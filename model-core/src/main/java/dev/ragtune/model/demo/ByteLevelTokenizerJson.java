package dev.ragtune.model.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A byte-level BPE {@code tokenizer.json} (GPT-2's byte-to-unicode alphabet, no merges): every
 * UTF-8 string tokenizes, one token per byte, plus ChatML special tokens. Small, deterministic and
 * loadable by any Hugging Face tokenizers implementation.
 */
public final class ByteLevelTokenizerJson {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final List<String> SPECIALS = List.of(END_OF_TEXT, IM_START, IM_END);

    /** ChatML, as Qwen2 and SmolLM2 write it. */
    public static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private ByteLevelTokenizerJson() {
    }

    public static int vocabularySize() {
        return 256 + SPECIALS.size();
    }

    public static int specialId(String token) {
        return 256 + SPECIALS.indexOf(token);
    }

    /** GPT-2's reversible map from bytes to printable unicode characters. */
    static char[] byteToUnicode() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    public static ObjectNode tokenizerJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : SPECIALS) {
            ObjectNode t = added.addObject();
            t.put("id", specialId(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(json));
        root.set("post_processor", byteLevel(json));
        root.set("decoder", byteLevel(json));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] map = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(map[b]), b);
        }
        for (String s : SPECIALS) {
            vocab.put(s, specialId(s));
        }
        model.putArray("merges");
        return root;
    }

    public static ObjectNode tokenizerConfigJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        for (String s : SPECIALS) {
            ObjectNode t = decoder.putObject(String.valueOf(specialId(s)));
            t.put("content", s);
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", true);
        }
        root.putNull("bos_token");
        root.put("eos_token", IM_END);
        root.put("pad_token", END_OF_TEXT);
        root.put("model_max_length", 32768);
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        root.put("chat_template", CHATML_TEMPLATE);
        return root;
    }

    private static ObjectNode byteLevel(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", false);
        n.put("use_regex", true);
        return n;
    }
}
