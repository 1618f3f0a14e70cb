package dev.ragtune.tuning.records;

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

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;

/** The fast counter gives exactly {@code encodeForTraining(messages).length()}, on any conversation, from any thread. */
class TrainingTokenCounterTest {

    private static final String[] WORDS = {"river", "ゾルバト川", "紫", "Квітка", " ", "\n", "<|im_end|>", "🪨", "a\tb", "  ", "x", "42", "</s>",
        "{% raw %}", "}}", "Ünïcödé"};

    @TempDir
    Path tmp;

    @Test
    void countsExactlyAsEncodeForTraining() throws Exception {
        for (Architecture arch : List.of(Architecture.QWEN2, Architecture.LLAMA)) {
            Path dir = tmp.resolve(arch.name());
            ModelConfig cfg = DemoCheckpointWriter.write(dir, DemoPreset.TINY, 3, arch);
            try (TrainingTokenCounter counter = TrainingTokenCounter.load(dir);
                 ModelTokenizer reference = ModelTokenizer.load(dir, cfg.eosTokenIds())) {
                assertThat(counter.isFast()).isTrue();
                CompiledChatTemplate compiled = new CompiledChatTemplate(reference.template().source(), null, "<|im_end|>");
                SplittableRandom r = new SplittableRandom(11);
                for (int n = 0; n < 300; n++) {
                    List<ChatMessage> c = conversation(r);
                    assertThat(counter.count(c)).as("%s", c).isEqualTo(reference.encodeForTraining(c).length());
                    assertThat(compiled.render(c, n % 2 == 0)).isEqualTo(reference.template().render(c, n % 2 == 0));
                }
            }
        }
    }

    @Test
    void isSafeFromManyThreads() throws Exception {
        Path dir = tmp.resolve("m");
        ModelConfig cfg = DemoCheckpointWriter.write(dir, DemoPreset.TINY, 3);
        try (TrainingTokenCounter counter = TrainingTokenCounter.load(dir);
             ModelTokenizer reference = ModelTokenizer.load(dir, cfg.eosTokenIds())) {
            SplittableRandom r = new SplittableRandom(5);
            List<List<ChatMessage>> convs = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                convs.add(conversation(r));
            }
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            IntStream.range(0, convs.size()).parallel().forEach(i -> {
                if (counter.count(convs.get(i)) != reference.encodeForTraining(convs.get(i)).length()) {
                    wrong.add(convs.get(i).toString());
                }
            });
            assertThat(wrong).isEmpty();
        }
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> TrainingTokenCounter.load(tmp.resolve("nothing-here"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("RAGTUNE_MODEL_DIR").hasMessageContaining("no config.json");
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
