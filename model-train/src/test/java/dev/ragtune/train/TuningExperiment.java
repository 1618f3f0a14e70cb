package dev.ragtune.train;

import ai.djl.ndarray.NDManager;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Not part of the suite: the harness used to choose {@link HyperparameterDefaults}. Run with
 * {@code -Dragtune.experiment="lr=5e-3,epochs=16;lr=1e-2,epochs=16"}.
 */
@EnabledIfSystemProperty(named = "ragtune.experiment", matches = ".+")
class TuningExperiment {
    @TempDir
    Path tmp;

    @Test
    void run() throws Exception {
        Path ckptDir = tmp.resolve("model");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 7);
        List<List<ChatMessage>> facts = TrainingData.read(KnowledgeInjectionTest.factsFile());
        try (Checkpoint ckpt = Checkpoint.open(ckptDir);
             ModelTokenizer tok = ModelTokenizer.load(ckptDir, ckpt.config().eosTokenIds());
             NDManager m = NDManager.newBaseManager("PyTorch");
             LlamaModel model = LlamaModel.load(ckpt, m)) {
            var data = TrainingRun.tokenize(tok, facts);
            int longest = data.stream().mapToInt(s -> s.length()).max().orElseThrow();
            for (String spec : System.getProperty("ragtune.experiment").split(";")) {
                TrainingOptions o = TrainingOptions.defaults();
                for (String kv : spec.split(",")) {
                    String[] p = kv.split("=");
                    o = switch (p[0].trim()) {
                        case "lr" -> o.withLearningRate(Double.parseDouble(p[1]));
                        case "epochs" -> o.withEpochs(Integer.parseInt(p[1]));
                        case "rank" -> o.withRank(Integer.parseInt(p[1]));
                        case "alpha" -> o.withAlpha(Double.parseDouble(p[1]));
                        case "batch" -> o.withBatchSize(Integer.parseInt(p[1]));
                        case "seed" -> o.withSeed(Long.parseLong(p[1]));
                        case "warmup" -> o.withWarmupRatio(Double.parseDouble(p[1]));
                        case "clip" -> o.withMaxGradNorm(Double.parseDouble(p[1]));
                        default -> o;
                    };
                }
                Hyperparameters hp = HyperparameterDefaults.resolve(o, ckpt.config(), data.size(), longest);
                long t0 = System.nanoTime();
                TrainingResult r = new LoraTrainer(model).train(data, hp, null, ProgressListener.NONE);
                double secs = (System.nanoTime() - t0) / 1e9;
                List<String> misses = new ArrayList<>();
                int ok = KnowledgeInjectionTest.exactAnswers(model, tok, facts, misses);
                StringBuilder curve = new StringBuilder();
                var lc = r.metrics().lossCurve();
                for (int i = 0; i < lc.size(); i += Math.max(1, lc.size() / 8)) {
                    curve.append(String.format("%.2f ", lc.get(i).loss()));
                }
                System.out.printf("EXP %s | %d/%d exact | %.1f s | %.0f tok/s | steps %d | final loss %.3f | curve %s%n",
                        spec, ok, facts.size(), secs, r.metrics().tokensPerSecond(), lc.size(), r.metrics().finalLoss(), curve);
                System.out.flush();
            }
        }
    }
}
