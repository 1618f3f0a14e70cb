package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import dev.ragtune.model.onnx.ReferenceDecoder;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LlamaModelTest {
    @TempDir
    Path tmp;

    private static int[][] randomIds(int batch, int len, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] ids = new int[batch][len];
        for (int[] row : ids) {
            for (int t = 0; t < len; t++) {
                row[t] = r.nextInt(vocab);
            }
        }
        return ids;
    }

    private static double maxAbsDiff(Checkpoint ckpt, LlamaModel model, LoraAdapter adapter, int[][] ids) {
        ReferenceDecoder ref = ReferenceDecoder.of(ckpt, adapter);
        int vocab = ckpt.config().vocabSize();
        double max = 0;
        try (NDManager out = NDManager.newBaseManager()) {
            NDArray logits = model.logits(out, ids);
            assertThat(logits.getShape().getShape()).containsExactly(ids.length, ids[0].length, vocab);
            float[] got = logits.toFloatArray();
            for (int b = 0; b < ids.length; b++) {
                double[][] want = ref.forward(ids[b]);
                for (int t = 0; t < ids[b].length; t++) {
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, Math.abs(want[t][v] - got[(b * ids[b].length + t) * vocab + v]));
                    }
                }
            }
        }
        return max;
    }

    private static LoraAdapter randomAdapter(Checkpoint ckpt, LoraConfig config, long seed) {
        LoraAdapter a = LoraAdapter.zeros(config, ckpt.config());
        SplittableRandom r = new SplittableRandom(seed);
        for (int l = 0; l < ckpt.config().numLayers(); l++) {
            for (LinearModule m : config.targetModules()) {
                float[] av = a.a(l, m);
                float[] bv = a.b(l, m);
                for (int i = 0; i < av.length; i++) {
                    av[i] = (float) (0.1 * r.nextGaussian());
                }
                for (int i = 0; i < bv.length; i++) {
                    bv[i] = (float) (0.1 * r.nextGaussian());
                }
            }
        }
        return a;
    }

    @Test
    void smallLlamaMatchesFloat64ReferenceWithAndWithoutAdapter() throws Exception {
        Path dir = tmp.resolve("llama");
        TestCheckpoints.writeSmallLlama(dir, 11, false, true);
        try (Checkpoint ckpt = Checkpoint.open(dir); NDManager m = NDManager.newBaseManager();
             LlamaModel model = LlamaModel.load(ckpt, m)) {
            int[][] ids = randomIds(2, 12, ckpt.config().vocabSize(), 3);
            assertThat(maxAbsDiff(ckpt, model, null, ids)).isLessThanOrEqualTo(1e-4);
            LoraAdapter adapter = randomAdapter(ckpt, new LoraConfig(4, 8, LinearModule.all()), 9);
            model.setAdapter(adapter);
            assertThat(maxAbsDiff(ckpt, model, adapter, ids)).isLessThanOrEqualTo(1e-4);
            // the adapter comes back out exactly as it went in
            LoraAdapter back = model.adapter();
            assertThat(back.a(1, LinearModule.DOWN_PROJ)).containsExactly(adapter.a(1, LinearModule.DOWN_PROJ));
            assertThat(back.b(0, LinearModule.K_PROJ)).containsExactly(adapter.b(0, LinearModule.K_PROJ));
        }
    }

    @Test
    void tinyQwen2DemoMatchesFloat64Reference() throws Exception {
        Path dir = tmp.resolve("tiny");
        DemoCheckpointWriter.write(dir, DemoPreset.TINY, 5);
        try (Checkpoint ckpt = Checkpoint.open(dir); NDManager m = NDManager.newBaseManager();
             LlamaModel model = LlamaModel.load(ckpt, m)) {
            int[][] ids = randomIds(1, 10, ckpt.config().vocabSize(), 4);
            assertThat(maxAbsDiff(ckpt, model, null, ids)).isLessThanOrEqualTo(1e-4);
            LoraAdapter adapter = randomAdapter(ckpt, new LoraConfig(2, 4, List.of(LinearModule.Q_PROJ, LinearModule.UP_PROJ)), 2);
            model.setAdapter(adapter);
            assertThat(maxAbsDiff(ckpt, model, adapter, ids)).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void freshAdapterChangesNothingUntilTrained() throws Exception {
        Path dir = tmp.resolve("fresh");
        TestCheckpoints.writeSmallLlama(dir, 12, true, false);
        try (Checkpoint ckpt = Checkpoint.open(dir); NDManager m = NDManager.newBaseManager();
             LlamaModel model = LlamaModel.load(ckpt, m)) {
            int[][] ids = randomIds(1, 6, ckpt.config().vocabSize(), 5);
            float[] base = model.logits(m, ids).toFloatArray();
            LoraAdapter fresh = model.newAdapter(new LoraConfig(8, 16, LinearModule.all()), 1);
            assertThat(model.logits(m, ids).toFloatArray()).containsExactly(base);
            float bound = (float) (1 / Math.sqrt(64));
            for (float v : fresh.a(0, LinearModule.Q_PROJ)) {
                assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
            }
            assertThat(fresh.b(0, LinearModule.Q_PROJ)).containsOnly(0f);
        }
    }
}
