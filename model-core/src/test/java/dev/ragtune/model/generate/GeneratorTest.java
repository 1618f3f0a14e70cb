package dev.ragtune.model.generate;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorTest {
    @TempDir
    static Path tmp;
    static OrtDecoder decoder;
    static ModelTokenizer tokenizer;
    static Generator generator;

    @BeforeAll
    static void setUp() throws Exception {
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 5);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            decoder = OrtDecoder.open(export, 0);
            tokenizer = ModelTokenizer.load(ckptDir, ckpt.config().eosTokenIds());
        }
        generator = new Generator(decoder, tokenizer);
    }

    @AfterAll
    static void tearDown() {
        decoder.close();
        tokenizer.close();
    }

    static int[] prompt(String text) {
        return tokenizer.encodeChatPrompt(List.of(ChatMessage.user(text)));
    }

    @Test
    void greedyGenerationFollowsTheArgmaxOfFullSequenceForwards() throws Exception {
        int[] p = prompt("Tell me about the sea " + System.nanoTime());
        GenerationResult r = generator.generate(new GenerationRequest(p, SamplingParams.greedy(12), null));
        assertThat(r.tokenIds()).isNotEmpty();
        int[] seq = p;
        for (int t : r.tokenIds()) {
            float[][] full = decoder.logits(seq, null);
            assertThat(Sampler.argmax(full[full.length - 1])).isEqualTo(t);
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = t;
        }
        assertThat(r.promptIds()).isEqualTo(p);
        assertThat(r.ttftMs()).isPositive();
    }

    @Test
    void samplingIsReproducibleBySeedAndTopKOneIsGreedy() {
        int[] p = prompt("Sample something");
        SamplingParams hot = new SamplingParams(16, 1.5, 0, 0.95, 1.0, 42, List.of());
        GenerationResult a = generator.generate(new GenerationRequest(p, hot, null));
        GenerationResult b = generator.generate(new GenerationRequest(p, hot, null));
        assertThat(a.tokenIds()).isEqualTo(b.tokenIds());
        SamplingParams topK1 = new SamplingParams(16, 0.8, 1, 1.0, 1.0, 7, List.of());
        assertThat(generator.generate(new GenerationRequest(p, topK1, null)).tokenIds())
                .isEqualTo(generator.generate(new GenerationRequest(p, SamplingParams.greedy(16), null)).tokenIds());
    }

    @Test
    void streamedDeltasConcatenateToTheFinalText() {
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = generator.generate(new GenerationRequest(prompt("Stream it"), SamplingParams.greedy(20), null),
                (id, delta) -> streamed.append(delta));
        assertThat(streamed.toString()).isEqualTo(r.text());
        assertThat(r.tokenIds().length).isLessThanOrEqualTo(20);
    }

    @Test
    void stopStringsCutTheTextAndAreNeverStreamed() {
        List<Integer> ids = new ArrayList<>();
        for (int id : tokenizer.encode("alpha END omega")) {
            ids.add(id);
        }
        Generator.TextAssembler text = new Generator.TextAssembler(tokenizer, List.of("END"));
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(text.append(id));
            if (text.stopped()) {
                break;
            }
        }
        streamed.append(text.flush());
        assertThat(text.stopped()).isTrue();
        assertThat(text.text()).isEqualTo("alpha ");
        assertThat(streamed.toString()).isEqualTo("alpha ");
    }

    @Test
    void multiByteCharactersAreStreamedWhole() {
        Generator.TextAssembler text = new Generator.TextAssembler(tokenizer, List.of());
        List<String> deltas = new ArrayList<>();
        for (int id : tokenizer.encode("東京")) {
            deltas.add(text.append(id));
        }
        assertThat(deltas).containsExactly("", "", "東", "", "", "京");
    }

    @Test
    void concurrentRequestsOnOneSessionGiveTheSameTokensAsSequentialOnes() throws Exception {
        List<int[]> prompts = List.of(prompt("one"), prompt("two two"), prompt("three three three"), prompt("四"));
        List<int[]> sequential = new ArrayList<>();
        for (int[] p : prompts) {
            sequential.add(generator.generate(new GenerationRequest(p, SamplingParams.greedy(10), null)).tokenIds());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int[] p : prompts) {
                futures.add(pool.submit(() -> generator.generate(new GenerationRequest(p, SamplingParams.greedy(10), null)).tokenIds()));
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(sequential.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancellationStopsGeneration() {
        Cancellation cancel = new Cancellation();
        int[] count = {0};
        GenerationResult r = generator.generate(new GenerationRequest(prompt("long answer please"),
                new SamplingParams(200, 1.0, 0, 1.0, 1.0, 1, List.of()), null, cancel), (id, d) -> {
            if (++count[0] == 3) {
                cancel.cancel();
            }
        });
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.tokenIds().length).isEqualTo(3);
    }

    @Test
    void repetitionPenaltyLowersTokensAlreadySeen() {
        float[] logits = {2f, 1.9f, -1f, -0.5f};
        int[] history = {0};
        int chosen = new Sampler(new SamplingParams(1, 0, 0, 1.0, 1.5, 0, List.of())).next(logits, history, 1);
        assertThat(chosen).isEqualTo(1);
        assertThat(logits[0]).isEqualTo(2f / 1.5f);
    }

    @Test
    void promptLongerThanTheContextIsRefusedWithAClearMessage() {
        int[] huge = new int[decoder.contextLength() + 1];
        assertThatThrownBy(() -> generator.generate(new GenerationRequest(huge, SamplingParams.greedy(1), null)))
                .hasMessageContaining("context");
    }

    @Test
    void invalidSamplingParametersAreRejected() {
        assertThatThrownBy(() -> new SamplingParams(0, 0, 0, 1, 1, 0, List.of())).hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 0, 1.5, 1, 0, List.of())).hasMessageContaining("topP");
    }
}
