package dev.ragtune.model.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;

/**
 * The ids-only token count gives exactly {@code encodeForTraining(messages).length()}, on any conversation, from any
 * thread; the demo's ChatML template renders exactly as ChatML is written ({@link #chatMl}), and {@code encodeForTraining}
 * gives the ids and mask of the prefix-by-prefix reference ({@link #referenceEncodeForTraining}: each prompt as
 * {@code encodeChatPrompt} renders it, each answer plus its {@code <|im_end|>} trained). (These are the assertions of
 * the tuning-worker's former {@code TrainingTokenCounterTest}, whose counter now lives here.)
 */
class ModelTokenizerCountTest {

    private static final String[] WORDS = {"river", "ゾルバト川", "紫", "Квітка", " ", "\n", "<|im_end|>", "🪨", "a\tb", "  ", "x", "42", "</s>",
        "{% raw %}", "}}", "Ünïcödé"};

    @TempDir
    Path tmp;

    @Test
    void countsExactlyAsEncodeForTraining() throws Exception {
        for (Architecture arch : List.of(Architecture.QWEN2, Architecture.LLAMA)) {
            Path dir = tmp.resolve(arch.name());
            ModelConfig cfg = DemoCheckpointWriter.write(dir, DemoPreset.TINY, 3, arch);
            try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, cfg.eosTokenIds())) {
                ChatTemplate compiled = new ChatTemplate(tokenizer.template().source(), null, "<|im_end|>");
                ChatTemplate reference = tokenizer.template();
                SplittableRandom r = new SplittableRandom(11);
                for (int n = 0; n < 300; n++) {
                    List<ChatMessage> c = conversation(r);
                    TrainingSequence seq = tokenizer.encodeForTraining(c);
                    assertThat(tokenizer.countTrainingTokens(c)).as("%s", c).isEqualTo(seq.length());
                    assertThat(compiled.render(c, n % 2 == 0)).isEqualTo(chatMl(c, n % 2 == 0));
                    assertThat(tokenizer.template().render(c, n % 2 == 0)).isEqualTo(chatMl(c, n % 2 == 0));
                    TrainingSequence expected = referenceEncodeForTraining(tokenizer, reference, c);
                    assertThat(seq.ids()).as("%s", c).isEqualTo(expected.ids());
                    assertThat(seq.trainable()).as("%s", c).isEqualTo(expected.trainable());
                }
            }
        }
    }

    @Test
    void isSafeFromManyThreads() throws Exception {
        Path dir = tmp.resolve("m");
        ModelConfig cfg = DemoCheckpointWriter.write(dir, DemoPreset.TINY, 3);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, cfg.eosTokenIds())) {
            ChatTemplate reference = new ChatTemplate(tokenizer.template().source(), null, "<|im_end|>");
            SplittableRandom r = new SplittableRandom(5);
            List<List<ChatMessage>> convs = new ArrayList<>();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                convs.add(conversation(r));
                expected.add(referenceEncodeForTraining(tokenizer, reference, convs.get(i)).length());
            }
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            IntStream.range(0, convs.size()).parallel().forEach(i -> {
                if (tokenizer.countTrainingTokens(convs.get(i)) != tokenizer.encodeForTraining(convs.get(i)).length()
                        || tokenizer.countTrainingTokens(convs.get(i)) != expected.get(i)) {
                    wrong.add(convs.get(i).toString());
                }
            });
            assertThat(wrong).isEmpty();
        }
    }

    @Test
    void rejectsWhatEncodeForTrainingRejects() throws Exception {
        Path dir = tmp.resolve("r");
        ModelConfig cfg = DemoCheckpointWriter.write(dir, DemoPreset.TINY, 3);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, cfg.eosTokenIds())) {
            List<ChatMessage> noAnswer = List.of(ChatMessage.user("Q?"));
            assertThatThrownBy(() -> tokenizer.countTrainingTokens(noAnswer))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end with an assistant turn");
        }
    }

    /** ChatML as written by hand: what the demo template must render. */
    private static String chatMl(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        return addGenerationPrompt ? sb.append("<|im_start|>assistant\n").toString() : sb.toString();
    }

    /**
     * {@code encodeForTraining} of a prefix-stable template, prefix by prefix: each prompt (as {@code encodeChatPrompt}
     * renders it) not trained, then the answer and its {@code <|im_end|>} trained, the template's newline after it not.
     */
    private static TrainingSequence referenceEncodeForTraining(ModelTokenizer tokenizer, ChatTemplate template,
                                                               List<ChatMessage> messages) {
        List<Integer> ids = new ArrayList<>();
        List<Boolean> trainable = new ArrayList<>();
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
            for (int id : tokenizer.encode(prompt.substring(done.length()))) {
                ids.add(id);
                trainable.add(false);
            }
            String answer = withAnswer.substring(prompt.length());
            assertThat(answer).endsWith("<|im_end|>\n");
            for (int id : tokenizer.encode(answer.substring(0, answer.length() - 1))) {
                ids.add(id);
                trainable.add(true);
            }
            for (int id : tokenizer.encode("\n")) {
                ids.add(id);
                trainable.add(false);
            }
            done = withAnswer;
        }
        boolean[] mask = new boolean[trainable.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = trainable.get(i);
        }
        return new TrainingSequence(ids.stream().mapToInt(Integer::intValue).toArray(), mask);
    }

    private static List<ChatMessage> conversation(SplittableRandom r) {
        List<ChatMessage> c = new ArrayList<>();
        if (r.nextBoolean()) {
            c.add(ChatMessage.system(text(r)));
        }
        int turns = 1 + r.nextInt(3);
        for (int t = 0; t < turns; t++) {
            if (r.nextInt(4) > 0) {
                c.add(ChatMessage.user(text(r)));
            }
            c.add(ChatMessage.assistant(text(r)));
        }
        return c;
    }

    private static String text(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(WORDS[r.nextInt(WORDS.length)]);
            if (r.nextBoolean()) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }
}
