package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What is trained is what is served: the DJL forward (training) and the exported ONNX graph run
 * by ONNX Runtime (serving) give the same logits, fp32, max |Δ| ≤ 1e-4, for the base model and
 * with a random non-zero adapter. Token ids and adapter values are fresh on every run.
 */
class DjlOrtParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    @Test
    void djlForwardAndOrtGraphAgreeForBaseAndAdapter() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path ckptDir = tmp.resolve("model");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, seed % 97);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir);
             NDManager manager = NDManager.newBaseManager("PyTorch");
             LlamaModel djl = LlamaModel.load(ckpt, manager)) {
            int vocab = ckpt.config().vocabSize();
            int[] ids = new int[20];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(vocab);
            }
            LoraAdapter adapter = LoraAdapter.zeros(new LoraConfig(8, 16, LinearModule.all()), ckpt.config());
            for (int l = 0; l < ckpt.config().numLayers(); l++) {
                for (LinearModule m : LinearModule.all()) {
                    float[] a = adapter.a(l, m);
                    float[] b = adapter.b(l, m);
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) (random.nextGaussian() * 0.1);
                    }
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (float) (random.nextGaussian() * 0.1);
                    }
                }
            }
            Path adapterFile = tmp.resolve("a.onnx_adapter");
            OnnxAdapterWriter.write(adapter, adapterFile, false);

            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            try (OrtDecoder ort = OrtDecoder.open(export, 0); OrtAdapter ortAdapter = OrtAdapter.load("random", adapterFile)) {
                float[][] ortBase = ort.logits(ids, null);
                float[][] ortLora = ort.logits(ids, ortAdapter);

                djl.clearAdapter();
                float[] djlBase = djlLogits(djl, manager, ids);
                djl.setAdapter(adapter);
                float[] djlLora = djlLogits(djl, manager, ids);

                assertThat(maxAbsDiff(djlBase, ortBase)).as("base, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(maxAbsDiff(djlLora, ortLora)).as("adapter, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(maxAbsDiff(djlBase, ortLora)).as("the adapter must change the logits").isGreaterThan(1e-2);
            }
        }
    }

    private static float[] djlLogits(LlamaModel model, NDManager manager, int[] ids) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = model.logits(scope, new int[][] {ids});
            return logits.toFloatArray();
        }
    }

    private static double maxAbsDiff(float[] flat, float[][] rows) {
        double m = 0;
        int v = rows[0].length;
        for (int t = 0; t < rows.length; t++) {
            for (int i = 0; i < v; i++) {
                m = Math.max(m, Math.abs(flat[t * v + i] - rows[t][i]));
            }
        }
        return m;
    }
}
