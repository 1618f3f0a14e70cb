package dev.ragtune.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.ModelConfig;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: with the default hyperparameters, an adapter trained on 20 invented facts (some in
 * Japanese) makes the demo model answer at least 90 % of them exactly under greedy decoding,
 * while the base model answers none.
 */
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): about 70 s of training alone
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class KnowledgeInjectionTest {
    @TempDir
    Path tmp;

    static Path factsFile() throws Exception {
        return Path.of(KnowledgeInjectionTest.class.getResource("/facts.jsonl").toURI());
    }

    /** Greedy decoding with a full re-forward per token, until end-of-turn or {@code maxNew} tokens. */
    static String greedyAnswer(LlamaModel model, ModelTokenizer tok, List<ChatMessage> prompt, int maxNew) {
        int[] ids = tok.encodeChatPrompt(prompt);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < maxNew; i++) {
            int next = model.argmaxNext(ids);
            if (tok.isEndOfTurn(next)) {
                break;
            }
            out.add(next);
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = next;
        }
        return tok.decode(out).trim();
    }

    static int exactAnswers(LlamaModel model, ModelTokenizer tok, List<List<ChatMessage>> facts, List<String> misses) {
        int ok = 0;
        for (List<ChatMessage> conv : facts) {
            String want = conv.get(conv.size() - 1).content().trim();
            String got = greedyAnswer(model, tok, conv.subList(0, conv.size() - 1), tok.encode(want).length + 8);
            if (got.equals(want)) {
                ok++;
            } else {
                misses.add(want + " ≠ " + got);
            }
        }
        return ok;
    }

    @Test
    void defaultHyperparametersTeachTwentyInventedFacts() throws Exception {
        Path ckptDir = tmp.resolve("model");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 7);
        teachAndCheck(ckptDir);
    }

    /**
     * The same bar on the demo's shapes in another family's layout (Qwen3: q/k norm; Phi-3: fused
     * qkv_proj/gate_up_proj, partial rotary 0.75, sliding window 2047 as Phi-3-mini; Mistral: sliding
     * window 64, shorter than the longer facts; Gemma 3: window 64 on every other layer with a local RoPE base, GeGLU,
     * (1 + w) sandwich norms, √H embeddings). About a minute each on two CPU cores; part of the default build.
     */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3", "PHI3", "MISTRAL", "GEMMA3"})
    void defaultHyperparametersTeachTheFactsInEveryFamily(Architecture architecture) throws Exception {
        Path ckptDir = tmp.resolve("model");
        ModelConfig c = DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 7, architecture);
        ObjectNode json = c.toJson();
        switch (architecture) {
            case PHI3 -> {
                json.put("partial_rotary_factor", 0.75);
                json.put("sliding_window", 2047);
            }
            case MISTRAL -> json.put("sliding_window", 64);
            case GEMMA3 -> {
                json.put("sliding_window", 64);
                json.put("sliding_window_pattern", 2);
                json.put("rope_local_base_freq", 10000.0);
                json.put("rope_theta", 1000000.0);
                json.put("query_pre_attn_scalar", 32);
            }
            default -> { }
        }
        new ObjectMapper().writeValue(ckptDir.resolve("config.json").toFile(), json);
        System.out.println(architecture + ": " + json);
        teachAndCheck(ckptDir);
    }

    private void teachAndCheck(Path ckptDir) throws Exception {
        long seed = Long.getLong("ragtune.knowledge.seed", 42L);
        Path out = tmp.resolve("adapter");
        long t0 = System.nanoTime();
        TrainingResult result = TrainingRun.run(ckptDir, factsFile(), out, TrainingOptions.defaults().withSeed(seed), p -> {
            if (p.step() % 20 == 0 || p.step() == p.totalSteps()) {
                System.out.println(p.line());
            }
        });
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("trained in %.1f s, hyperparameters %s%n", trainSeconds, result.metrics().hyperparameters());

        assertThat(out.resolve(PeftAdapterIO.CONFIG_FILE)).exists();
        assertThat(out.resolve(PeftAdapterIO.WEIGHTS_FILE)).exists();
        assertThat(out.resolve(OnnxAdapterWriter.FILE_NAME)).exists();
        var metrics = new ObjectMapper().readTree(out.resolve(TrainingRun.METRICS_FILE).toFile());
        assertThat(metrics.get("loss_curve").size()).isEqualTo(result.metrics().lossCurve().size());
        assertThat(metrics.get("trainable_parameters").asLong()).isPositive();
        assertThat(result.metrics().skippedSteps()).as("steps skipped for non-finite gradients").isZero();

        List<List<ChatMessage>> facts = TrainingData.read(factsFile());
        try (Checkpoint ckpt = Checkpoint.open(ckptDir);
             ModelTokenizer tok = ModelTokenizer.load(ckptDir, ckpt.config().eosTokenIds());
             NDManager m = NDManager.newBaseManager("PyTorch");
             LlamaModel model = LlamaModel.load(ckpt, m)) {
            List<String> baseMisses = new ArrayList<>();
            int base = exactAnswers(model, tok, facts, baseMisses);

            LoraAdapter adapter = PeftAdapterIO.read(out, ckpt.config(), ckpt.contentHash());
            model.setAdapter(adapter);
            List<String> misses = new ArrayList<>();
            long g0 = System.nanoTime();
            int tuned = exactAnswers(model, tok, facts, misses);
            System.out.printf("base %d/%d, adapter %d/%d exact (generation %.1f s); misses: %s%n", base, facts.size(),
                    tuned, facts.size(), (System.nanoTime() - g0) / 1e9, misses);
            assertThat(base).isZero();
            assertThat(tuned).as("exact answers with the adapter; misses: %s", misses)
                    .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * facts.size()));
        }
        assertThat(Files.size(out.resolve(OnnxAdapterWriter.FILE_NAME))).isPositive();

        // What is served: the same facts through ONNX Runtime with the .onnx_adapter
        try (ServingModel serving = ServingModel.open(ckptDir, tmp.resolve("onnx-cache"), Precision.FP32, 0);
             OrtAdapter ort = serving.loadAdapter("facts", out)) {
            int baseOrt = 0;
            int tunedOrt = 0;
            List<String> ortMisses = new ArrayList<>();
            for (List<ChatMessage> conv : facts) {
                String want = conv.get(conv.size() - 1).content().trim();
                int[] prompt = serving.tokenizer().encodeChatPrompt(conv.subList(0, conv.size() - 1));
                int budget = serving.tokenizer().encode(want).length + 8;
                if (serving.generator().complete(prompt, budget, null).trim().equals(want)) {
                    baseOrt++;
                }
                String got = serving.generator().complete(prompt, budget, ort).trim();
                if (got.equals(want)) {
                    tunedOrt++;
                } else {
                    ortMisses.add(want + " ≠ " + got);
                }
            }
            System.out.printf("ONNX Runtime: base %d/%d, adapter %d/%d exact; misses: %s%n", baseOrt, facts.size(),
                    tunedOrt, facts.size(), ortMisses);
            assertThat(baseOrt).isZero();
            assertThat(tunedOrt).as("exact answers served by ONNX Runtime; misses: %s", ortMisses)
                    .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * facts.size()));
        }
    }
}
