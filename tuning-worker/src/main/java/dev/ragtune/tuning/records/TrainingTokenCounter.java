package dev.ragtune.tuning.records;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.common.records.TokenCounter;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;

/**
 * Counts a conversation's tokens exactly as training sees them — {@code ModelTokenizer.encodeForTraining(messages).length()}
 * of the checkpoint — but faster: the chat template is parsed once ({@link CompiledChatTemplate}) and only token ids are
 * fetched from the native tokenizer. The pieces are the same (the conversation cut at each assistant turn's boundaries,
 * each piece tokenized on its own), so the count is the same; at start-up a set of probe conversations is counted both
 * ways and, should they ever differ (an exotic template), this counter uses {@code encodeForTraining} itself.
 */
public final class TrainingTokenCounter implements TokenCounter, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainingTokenCounter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelTokenizer reference;
    private final HuggingFaceTokenizer tokenizer;
    private final CompiledChatTemplate template;
    private final boolean fast;

    private TrainingTokenCounter(ModelTokenizer reference, HuggingFaceTokenizer tokenizer, CompiledChatTemplate template) {
        this.reference = reference;
        this.tokenizer = tokenizer;
        this.template = template;
        this.fast = agreesWithReference();
    }

    /** Loads the tokenizer and chat template of the checkpoint folder; a clear error if the folder is not a model. */
    public static TrainingTokenCounter load(Path checkpointDir) {
        Path config = checkpointDir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new ModelFormatException("ragtune.worker.checkpoint-dir (RAGTUNE_MODEL_DIR) = " + checkpointDir.toAbsolutePath()
                    + " is not a model folder: no config.json there (create one with './ragtune model demo --out DIR')");
        }
        ModelTokenizer reference = ModelTokenizer.load(checkpointDir, ModelConfig.read(config).eosTokenIds());
        try {
            JsonNode cfg = JSON.readTree(checkpointDir.resolve("tokenizer_config.json").toFile());
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(checkpointDir.resolve("tokenizer.json"))
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new TrainingTokenCounter(reference, tok, new CompiledChatTemplate(reference.template().source(),
                    tokenText(cfg.path("bos_token")), tokenText(cfg.path("eos_token"))));
        } catch (IOException | RuntimeException e) {
            reference.close();
            throw new ModelFormatException("cannot load the tokenizer of " + checkpointDir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the fast path is used (it agreed with {@code encodeForTraining} on every probe). */
    public boolean isFast() {
        return fast;
    }

    @Override
    public int count(List<ChatMessage> messages) {
        if (!fast) {
            return reference.encodeForTraining(messages).length();
        }
        if (messages.isEmpty() || !"assistant".equals(messages.get(messages.size() - 1).role())) {
            throw new IllegalArgumentException("a training conversation must end with an assistant turn");
        }
        return countPieces(messages);
    }

    /** The pieces of {@code encodeForTraining}: up to each assistant turn (prompt), then the turn itself (answer). */
    private int countPieces(List<ChatMessage> messages) {
        int count = 0;
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
            count += tokens(prompt.substring(done.length())) + tokens(withAnswer.substring(prompt.length()));
            done = withAnswer;
        }
        return count;
    }

    private int tokens(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding).length;
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    private boolean agreesWithReference() {
        List<List<ChatMessage>> probes = new ArrayList<>();
        probes.add(List.of(ChatMessage.assistant("Hello.")));
        probes.add(List.of(ChatMessage.user("What colour is the Zorbat river?"), ChatMessage.assistant("The Zorbat river is violet.")));
        probes.add(List.of(ChatMessage.system("You are terse.\nAnswer in one line."), ChatMessage.user("ゾルバト川の色は何ですか？"),
                ChatMessage.assistant("紫です。"), ChatMessage.user("А чому?  Бо так.\n\n"), ChatMessage.assistant(" Because of the 🪨 minerals. ")));
        probes.add(List.of(ChatMessage.user("a\tb"), ChatMessage.assistant("1"), ChatMessage.assistant("2"), ChatMessage.user("x"),
                ChatMessage.assistant("<|im_end|> and </s> are just text here")));
        try {
            for (List<ChatMessage> p : probes) {
                int expected = reference.encodeForTraining(p).length();
                int got = countPieces(p);
                if (expected != got) {
                    LOG.warnf("fast token count %d differs from encodeForTraining %d for a probe conversation;"
                            + " measuring records with encodeForTraining (slower)", got, expected);
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("fast token count failed on a probe conversation (%s); measuring records with encodeForTraining (slower)", e.toString());
            return false;
        }
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

    @Override
    public void close() {
        tokenizer.close();
        reference.close();
    }
}
