package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A checkpoint's tokenizer ({@code tokenizer.json} through DJL's Hugging Face tokenizers binding),
 * its chat template (parsed once, see {@link ChatTemplate}) and its end-of-turn tokens. Thread-safe: the native
 * tokenizer encodes from any thread, the template renders per thread.
 */
public final class ModelTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tokens that end an assistant turn in the common chat formats. */
    private static final List<String> END_OF_TURN_TOKENS = List.of("<|im_end|>", "<|eot_id|>", "<|end|>", "<|endoftext|>", "</s>");

    private final HuggingFaceTokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> endOfTurnIds;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, ChatTemplate template, Set<Integer> endOfTurnIds) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.endOfTurnIds = endOfTurnIds;
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
        List<String> candidates = new ArrayList<>(END_OF_TURN_TOKENS);
        if (eos != null) {
            candidates.add(0, eos);
        }
        for (String t : candidates) {
            long[] ids = tok.encode(t, false, false).getIds();
            if (ids.length == 1 && t.equals(tok.decode(ids, false))) {
                eot.add((int) ids[0]);
            }
        }
        ModelTokenizer loaded = new ModelTokenizer(tok, new ChatTemplate(templateSource, bos, eos), Set.copyOf(eot));
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
     * Tokenizes a conversation for training. The text is cut at each assistant turn's boundaries
     * (as rendered by the chat template) and the pieces are tokenized separately, so the prompt
     * part of the first assistant turn tokenizes exactly as {@link #encodeChatPrompt} does at
     * serving time.
     */
    public TrainingSequence encodeForTraining(List<ChatMessage> messages) {
        List<Integer> ids = new ArrayList<>();
        List<Boolean> trainable = new ArrayList<>();
        forEachTrainingPiece(messages, (piece, train) -> append(ids, trainable, encode(piece), train));
        int[] idArr = ids.stream().mapToInt(Integer::intValue).toArray();
        boolean[] mask = new boolean[trainable.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = trainable.get(i);
        }
        return new TrainingSequence(idArr, mask);
    }

    /**
     * {@code encodeForTraining(messages).length()}, computed more cheaply: the same pieces, each asked of the native
     * tokenizer for its ids only (no tokens, offsets or masks, no {@link TrainingSequence}). Measures records as
     * training will see them. Thread-safe.
     */
    public int countTrainingTokens(List<ChatMessage> messages) {
        int[] count = {0};
        forEachTrainingPiece(messages, (piece, train) -> count[0] += idCount(piece));
        return count[0];
    }

    private interface PieceConsumer {
        void accept(String piece, boolean trainable);
    }

    /** The pieces of a training conversation in order: up to each assistant turn (not trained), then the turn (trained). */
    private void forEachTrainingPiece(List<ChatMessage> messages, PieceConsumer consumer) {
        if (messages.isEmpty() || !"assistant".equals(messages.get(messages.size() - 1).role())) {
            throw new IllegalArgumentException("a training conversation must end with an assistant turn");
        }
        String done = "";
        for (int i = 0; i < messages.size(); i++) {
            if (!"assistant".equals(messages.get(i).role())) {
                continue;
            }
            String prompt = template.render(messages.subList(0, i), true);
            String withAnswer = template.render(messages.subList(0, i + 1), false);
            if (!prompt.startsWith(done) || !withAnswer.startsWith(prompt)) {
                throw new ModelFormatException("chat template is not prefix-stable; cannot mask assistant tokens");
            }
            consumer.accept(prompt.substring(done.length()), false);
            consumer.accept(withAnswer.substring(prompt.length()), true);
            done = withAnswer;
        }
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

    private static void append(List<Integer> ids, List<Boolean> trainable, int[] piece, boolean train) {
        for (int id : piece) {
            ids.add(id);
            trainable.add(train);
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
