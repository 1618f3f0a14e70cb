package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.checkpoint.CheckpointCounters;
import dev.ragtune.model.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A checkpoint's tokenizer ({@code tokenizer.json} through DJL's Hugging Face tokenizers binding),
 * its chat template (parsed once, see {@link ChatTemplate}) and its end-of-turn tokens. Thread-safe: the native
 * tokenizer encodes from any thread, the template renders per thread.
 */
public final class ModelTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tokens that end an assistant turn in the common chat formats. */
    private static final List<String> END_OF_TURN_TOKENS = List.of("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>");
    /** The special-token variables transformers passes to a chat template (its {@code special_tokens_map}). */
    private static final List<String> SPECIAL_TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token");
    private static final String OPEN = "\uE000";
    private static final String CLOSE = "\uE001";

    private final HuggingFaceTokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> endOfTurnIds;
    /** The end-of-turn tokens as text, longest first: what may follow an assistant turn's content. */
    private final List<String> endOfTurnTexts;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, ChatTemplate template, Set<Integer> endOfTurnIds,
            List<String> endOfTurnTexts) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.endOfTurnIds = endOfTurnIds;
        this.endOfTurnTexts = endOfTurnTexts;
    }

    /** Loads {@code tokenizer.json} and {@code tokenizer_config.json} from a checkpoint folder. */
    public static ModelTokenizer load(Path dir, List<Integer> configEosIds) {
        long start = System.nanoTime();
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Path tokenizerConfig = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelFormatException("checkpoint " + dir + " has no tokenizer.json");
        }
        HuggingFaceTokenizer tok;
        try {
            tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException("cannot load " + tokenizerJson + ": " + e.getMessage(), e);
        }
        JsonNode cfg;
        try {
            cfg = Files.isRegularFile(tokenizerConfig) ? JSON.readTree(tokenizerConfig.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            tok.close();
            throw new ModelFormatException("malformed " + tokenizerConfig + ": " + e.getMessage(), e);
        }
        String templateSource = chatTemplateSource(cfg.path("chat_template"));
        if (templateSource == null) {
            tok.close();
            throw new ModelFormatException(tokenizerConfig + " has no chat_template; ragtune needs one to build prompts");
        }
        String bos = tokenText(cfg.path("bos_token"));
        String eos = tokenText(cfg.path("eos_token"));
        Set<Integer> eot = new LinkedHashSet<>(configEosIds);
        List<String> eotTexts = new ArrayList<>();
        List<String> candidates = new ArrayList<>(END_OF_TURN_TOKENS);
        if (eos != null) {
            candidates.add(0, eos);
        }
        for (String t : candidates) {
            long[] ids = tok.encode(t, false, false).getIds();
            if (ids.length == 1 && t.equals(tok.decode(ids, false))) {
                eot.add((int) ids[0]);
                if (!eotTexts.contains(t)) {
                    eotTexts.add(t);
                }
            }
        }
        eotTexts.sort(Comparator.comparingInt(String::length).reversed());
        Map<String, Object> specials = new HashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            String text = tokenText(cfg.path(key));
            if (text != null) {
                specials.put(key, text);
            }
        }
        if (cfg.path("additional_special_tokens").isArray()) {
            List<Object> extra = new ArrayList<>();
            cfg.path("additional_special_tokens").forEach(n -> extra.add(tokenText(n)));
            specials.put("additional_special_tokens", extra);
        }
        ModelTokenizer loaded = new ModelTokenizer(tok, new ChatTemplate(templateSource, specials), Set.copyOf(eot),
                List.copyOf(eotTexts));
        CheckpointCounters.record(CheckpointCounters.Operation.TOKENIZER_LOAD, start);
        return loaded;
    }

    private static String chatTemplateSource(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                if ("default".equals(n.path("name").asText())) {
                    return n.path("template").asText();
                }
            }
        }
        return null;
    }

    private static String tokenText(JsonNode n) {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.has("content")) {
            return n.get("content").asText();
        }
        return null;
    }

    public int[] encode(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    public String decode(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
    }

    /** The text of {@code ids}, special tokens included. */
    String decodeWithSpecialTokens(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), false);
    }

    public String decode(List<Integer> ids) {
        return tokenizer.decode(ids.stream().mapToLong(Integer::longValue).toArray(), true);
    }

    public ChatTemplate template() {
        return template;
    }

    public boolean isEndOfTurn(int id) {
        return endOfTurnIds.contains(id);
    }

    public Set<Integer> endOfTurnIds() {
        return endOfTurnIds;
    }

    /** The prompt that asks the model for the next assistant turn. */
    public int[] encodeChatPrompt(List<ChatMessage> messages) {
        return encode(template.render(messages, true));
    }

    /**
     * Tokenizes a conversation for training: the conversation rendered once (no generation prompt) and tokenized as a
     * whole, as Hugging Face tokenizes it (the ids serving sees for the same turns), with the tokens that begin inside
     * an assistant span trainable. An assistant span is the turn's content as the template rendered it plus the
     * end-of-turn token right after it; see {@link #assistantSpans}. (A token that begins before the span is the turn
     * header's, even where it also covers the content's first characters: a special token that strips the whitespace
     * after it, as Phi-3's {@code <|assistant|>} does, or a whitespace run merged across the boundary.)
     */
    public TrainingSequence encodeForTraining(List<ChatMessage> messages) {
        String text = renderForTraining(messages);
        List<int[]> spans = assistantSpans(messages, text);
        ai.djl.huggingface.tokenizers.Encoding encoding = tokenizer.encode(text, false, false);
        int[] ids = toInts(encoding.getIds());
        CharSpan[] offsets = encoding.getCharTokenSpans();
        // the binding's offsets count code points
        int[] cp = new int[spans.size() * 2];
        for (int k = 0; k < spans.size(); k++) {
            cp[2 * k] = text.codePointCount(0, spans.get(k)[0]);
            cp[2 * k + 1] = text.codePointCount(0, spans.get(k)[1]);
        }
        boolean[] mask = new boolean[ids.length];
        for (int t = 0; t < ids.length; t++) {
            CharSpan o = offsets[t];
            if (o == null) {
                continue;
            }
            for (int k = 0; k < spans.size(); k++) {
                if (o.getStart() >= cp[2 * k] && o.getStart() < cp[2 * k + 1]) {
                    mask[t] = true;
                    break;
                }
            }
        }
        return new TrainingSequence(ids, mask);
    }

    /**
     * {@code encodeForTraining(messages).length()}, computed more cheaply: the same rendering asked of the native
     * tokenizer for its ids only (no tokens, offsets or masks, no {@link TrainingSequence}); the assistant spans are
     * still found, so it rejects what {@code encodeForTraining} rejects. Measures records as training will see them.
     * Thread-safe.
     */
    public int countTrainingTokens(List<ChatMessage> messages) {
        String text = renderForTraining(messages);
        assistantSpans(messages, text);
        return idCount(text);
    }

    private String renderForTraining(List<ChatMessage> messages) {
        if (messages.isEmpty() || !"assistant".equals(messages.get(messages.size() - 1).role())) {
            throw new IllegalArgumentException("a training conversation must end with an assistant turn");
        }
        return template.render(messages, false);
    }

    /** Content variants tried, in order, when a template transforms an assistant content before printing it. */
    private static final List<UnaryOperator<String>> CONTENT_VARIANTS = List.of(
            c -> c, String::strip, c -> stripChars(c, "\n", true, false), c -> stripChars(c, "\n", true, true),
            String::stripLeading, String::stripTrailing);

    private static String stripChars(String s, String chars, boolean left, boolean right) {
        int lo = 0;
        int hi = s.length();
        while (left && lo < hi && chars.indexOf(s.charAt(lo)) >= 0) {
            lo++;
        }
        while (right && hi > lo && chars.indexOf(s.charAt(hi - 1)) >= 0) {
            hi--;
        }
        return s.substring(lo, hi);
    }

    /**
     * The character spans of {@code text} (the conversation's rendering) that training learns, in order. From the
     * template's {@code {% generation %}} blocks where it has them (transformers' assistant mask); otherwise each
     * assistant content is rendered between two private-use marker characters and found by them, so templates that
     * are not prefix-stable (Qwen3 drops earlier turns' reasoning and prints the last turn after an empty think block,
     * Llama 3.2 and Gemma 3 trim contents) mask exactly too: first every content as it is, in one rendering; failing
     * that each turn on its own, as it is or stripped as templates strip it (the variant whose rendering without the
     * markers is {@code text}). A span is the content plus the end-of-turn token right after it. See decision 011.
     */
    List<int[]> assistantSpans(List<ChatMessage> messages, String text) {
        List<Map<String, Object>> maps = messages.stream().map(ChatTemplate::asMap).toList();
        if (template.hasGenerationBlocks()) {
            List<int[]> spans = template.renderMaps(maps, false).generationSpans();
            return spans.stream().filter(sp -> sp[1] > sp[0]).toList();
        }
        List<Integer> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if ("assistant".equals(messages.get(i).role())) {
                turns.add(i);
            }
        }
        List<int[]> spans = markedSpans(maps, turns, c -> c, text);
        if (spans == null) {
            spans = new ArrayList<>();
            for (int t = 0; t < turns.size(); t++) {
                List<int[]> found = null;
                for (UnaryOperator<String> variant : CONTENT_VARIANTS) {
                    found = markedSpans(maps, List.of(turns.get(t)), variant, text);
                    if (found != null) {
                        break;
                    }
                }
                if (found == null) {
                    throw new ModelFormatException("cannot find assistant turn " + (t + 1) + "'s content in the chat "
                            + "template's rendering; cannot mask assistant tokens");
                }
                spans.add(found.get(0));
            }
        }
        int done = 0;
        for (int[] span : spans) {
            if (span[0] < done) {
                throw new ModelFormatException("chat template renders assistant turns out of order; cannot mask assistant tokens");
            }
            for (String eot : endOfTurnTexts) {
                if (text.startsWith(eot, span[1])) {
                    span[1] += eot.length();
                    break;
                }
            }
            done = span[1];
        }
        return spans;
    }

    /** The spans of the given turns' contents (each transformed by {@code variant}) if marking them renders {@code text}. */
    private List<int[]> markedSpans(List<Map<String, Object>> maps, List<Integer> turns, UnaryOperator<String> variant,
            String text) {
        List<Map<String, Object>> marked = new ArrayList<>(maps);
        for (int i : turns) {
            Map<String, Object> m = new LinkedHashMap<>(maps.get(i));
            m.put("content", OPEN + variant.apply((String) m.get("content")) + CLOSE);
            marked.set(i, m);
        }
        String out;
        try {
            out = template.renderMaps(marked, false).text();
        } catch (RuntimeException e) {
            return null;
        }
        StringBuilder plain = new StringBuilder(text.length());
        List<int[]> spans = new ArrayList<>();
        int open = -1;
        for (int k = 0; k < out.length(); k++) {
            char c = out.charAt(k);
            if (c == OPEN.charAt(0)) {
                if (open >= 0) {
                    return null;
                }
                open = plain.length();
            } else if (c == CLOSE.charAt(0)) {
                if (open < 0) {
                    return null;
                }
                spans.add(new int[] {open, plain.length()});
                open = -1;
            } else {
                plain.append(c);
            }
        }
        return open < 0 && spans.size() == turns.size() && plain.toString().equals(text) ? spans : null;
    }

    /**
     * How many ids {@link #encode} gives for {@code text}, without building DJL's {@code Encoding}. Same native call
     * ({@code encode} adds no special tokens, and this tokenizer is built without the Java-side lower-casing, accent
     * stripping or prefix space that {@code HuggingFaceTokenizer} could apply before it).
     */
    private int idCount(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding).length;
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }


    @Override
    public void close() {
        tokenizer.close();
    }
}
