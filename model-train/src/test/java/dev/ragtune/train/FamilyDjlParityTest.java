package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.onnx.FamilyCheckpoints;
import dev.ragtune.model.onnx.FamilyCheckpoints.Family;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.model.onnx.ReferenceDecoder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per family, the DJL training forward against the float64 reference and the ORT graph, base and
 * with a random non-zero adapter on all of the family's projections (Phi-3: fused), max |Δ| ≤ 1e-4,
 * over 24 tokens: beyond the sliding windows (Mistral 6, Phi-3 8) and beyond Phi-3's longrope
 * {@code original_max_position_embeddings} (16); plus a 12-token run for longrope's short factors.
 */
class FamilyDjlParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Family.class)
    void djlForwardMatchesReferenceAndOrtBaseAndAdapter(Family family) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path dir = tmp.resolve("ckpt");
        FamilyCheckpoints.write(dir, family, seed % 1000);
        try (Checkpoint ckpt = Checkpoint.open(dir);
             NDManager manager = NDManager.newBaseManager("PyTorch");
             LlamaModel djl = LlamaModel.load(ckpt, manager)) {
            var c = ckpt.config();
            LoraAdapter adapter = LoraAdapter.zeros(new LoraConfig(4, 8, c.projections()), c);
            for (int l = 0; l < c.numLayers(); l++) {
                for (var m : c.projections()) {
                    fill(adapter.a(l, m), random);
                    fill(adapter.b(l, m), random);
                }
            }
            Path adapterFile = tmp.resolve("a.onnx_adapter");
            OnnxAdapterWriter.write(adapter, adapterFile, false);
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            try (OrtDecoder ort = OrtDecoder.open(export, 0); OrtAdapter ortAdapter = OrtAdapter.load("a", adapterFile)) {
                for (int length : new int[] {24, 12}) {
                    int[] ids = new int[length];
                    for (int i = 0; i < length; i++) {
                        ids[i] = random.nextInt(c.vocabSize());
                    }
                    djl.clearAdapter();
                    float[] djlBase = logits(djl, manager, ids);
                    djl.setAdapter(adapter);
                    float[] djlLora = logits(djl, manager, ids);
                    double refBase = diff(djlBase, new ReferenceDecoder(ckpt).forward(ids));
                    double refLora = diff(djlLora, ReferenceDecoder.of(ckpt, adapter).forward(ids));
                    double ortBase = diff(djlBase, ort.logits(ids, null));
                    double ortLora = diff(djlLora, ort.logits(ids, ortAdapter));
                    System.out.printf("%s S=%d DJL max |Δ|: vs float64 base %.2e, adapter %.2e; vs ORT base %.2e, adapter %.2e%n",
                            family, length, refBase, refLora, ortBase, ortLora);
                    assertThat(refBase).as("base vs reference, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                    assertThat(refLora).as("adapter vs reference, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                    assertThat(ortBase).as("base vs ORT, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                    assertThat(ortLora).as("adapter vs ORT, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                    assertThat(diff(djlBase, ort.logits(ids, ortAdapter))).as("the adapter must matter").isGreaterThan(1e-2);
                }
            }
        }
    }

    private static void fill(float[] v, Random r) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.1);
        }
    }

    private static float[] logits(LlamaModel model, NDManager manager, int[] ids) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = model.logits(scope, new int[][] {ids});
            return logits.toFloatArray();
        }
    }

    private static double diff(float[] flat, double[][] rows) {
        double m = 0;
        int v = rows[0].length;
        for (int t = 0; t < rows.length; t++) {
            for (int i = 0; i < v; i++) {
                m = Math.max(m, Math.abs(flat[t * v + i] - rows[t][i]));
            }
        }
        return m;
    }

    private static double diff(float[] flat, float[][] rows) {
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
