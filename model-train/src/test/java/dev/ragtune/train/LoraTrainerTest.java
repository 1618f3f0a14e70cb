package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.tokenize.TrainingSequence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoraTrainerTest {
    @TempDir
    static Path tmp;
    static Checkpoint ckpt;
    static NDManager manager;
    static LlamaModel model;

    @BeforeAll
    static void setUp() throws Exception {
        TestCheckpoints.writeSmallLlama(tmp.resolve("m"), 21, true, false);
        ckpt = Checkpoint.open(tmp.resolve("m"));
        manager = NDManager.newBaseManager("PyTorch");
        model = LlamaModel.load(ckpt, manager);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        manager.close();
        ckpt.close();
    }

    /** A sequence of {@code len} random tokens whose last {@code answer} tokens are trainable. */
    static TrainingSequence sequence(SplittableRandom r, int len, int answer) {
        int[] ids = new int[len];
        boolean[] mask = new boolean[len];
        for (int i = 0; i < len; i++) {
            ids[i] = r.nextInt(200);
            mask[i] = i >= len - answer;
        }
        return new TrainingSequence(ids, mask);
    }

    static List<TrainingSequence> dataset(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TrainingSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(sequence(r, 8 + r.nextInt(10), 4));
        }
        return out;
    }

    static Hyperparameters hp(int epochs, int batch, int accumulation, double lr) {
        return new Hyperparameters(4, 8, epochs, lr, 64, LinearModule.all(), 7, batch, accumulation, 0.1, 0.01, 1.0);
    }

    private static float loss(List<TrainingSequence> batch) {
        model.newAdapter(new LoraConfig(2, 4, List.of(LinearModule.Q_PROJ)), 1);
        try (NDManager scope = model.manager().newSubManager()) {
            List<LoraTrainer.Example> ex = batch.stream().map(s -> LoraTrainer.toExample(s, 64)).toList();
            return new LoraTrainer(model).batchLoss(scope, ex).getFloat();
        }
    }

    @Test
    void lossIsCrossEntropyOverAssistantTokensOnly() {
        SplittableRandom r = new SplittableRandom(3);
        TrainingSequence s = sequence(r, 12, 5);
        double expected = 0;
        model.clearAdapter();
        try (NDManager out = NDManager.newBaseManager("PyTorch")) {
            float[] logits = model.logits(out, new int[][] {s.ids()}).toFloatArray();
            int v = ckpt.config().vocabSize();
            for (int t = 0; t + 1 < s.length(); t++) {
                if (!s.trainable()[t + 1]) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[t * v + k]);
                }
                double sum = 0;
                for (int k = 0; k < v; k++) {
                    sum += Math.exp(logits[t * v + k] - max);
                }
                expected += -(logits[t * v + s.ids()[t + 1]] - max - Math.log(sum));
            }
        }
        // a fresh adapter (B = 0) does not change the model, so the loss is the base model's
        assertThat((double) loss(List.of(s))).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void labelsOfNonAssistantPositionsDoNotAffectTheLoss() {
        SplittableRandom r = new SplittableRandom(4);
        TrainingSequence s = sequence(r, 14, 5);
        // a trailing token that is not trainable: it is only ever a label, never an input to a target
        int[] ids = java.util.Arrays.copyOf(s.ids(), 15);
        boolean[] mask = java.util.Arrays.copyOf(s.trainable(), 15);
        ids[14] = 17;
        float a = loss(List.of(new TrainingSequence(ids, mask)));
        ids[14] = 123;
        float b = loss(List.of(new TrainingSequence(ids.clone(), mask)));
        assertThat(b).isEqualTo(a);
        // and a prompt token's own label (position 2 predicts token 3, a prompt token) is ignored too
        int[] ids2 = s.ids().clone();
        float base = loss(List.of(s));
        mask = s.trainable().clone();
        assertThat(mask[3]).isFalse();
        // changing the trainable flag of a prompt label to true must change the loss; keeping it false must not count it
        mask[3] = true;
        assertThat(loss(List.of(new TrainingSequence(ids2, mask)))).isNotEqualTo(base);
    }

    @Test
    void rightPaddingDoesNotChangeTheLoss() {
        SplittableRandom r = new SplittableRandom(5);
        TrainingSequence shortSeq = sequence(r, 7, 3);
        TrainingSequence longSeq = sequence(r, 16, 6);
        float together = loss(List.of(shortSeq, longSeq));
        float apart = loss(List.of(shortSeq)) + loss(List.of(longSeq));
        assertThat(together).isCloseTo(apart, org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void trainingLowersTheLossAndIsBitwiseReproducible() {
        List<TrainingSequence> data = dataset(9, 6);
        Hyperparameters h = hp(6, 2, 2, 5e-3);
        TrainingResult first = new LoraTrainer(model).train(data, h, null, ProgressListener.NONE);
        TrainingResult second = new LoraTrainer(model).train(data, h, null, ProgressListener.NONE);
        var c1 = first.metrics().lossCurve();
        var c2 = second.metrics().lossCurve();
        assertThat(c1).hasSize(6 * 2); // 6 examples / (2 x 2) per step = 2 steps per epoch
        for (int i = 0; i < c1.size(); i++) {
            assertThat(c2.get(i).loss()).isEqualTo(c1.get(i).loss());
        }
        assertThat(c1.get(c1.size() - 1).loss()).isLessThan(c1.get(0).loss());
        assertThat(second.adapter().b(1, LinearModule.DOWN_PROJ)).containsExactly(first.adapter().b(1, LinearModule.DOWN_PROJ));
        assertThat(first.metrics().trainableParameters()).isEqualTo(first.adapter().parameterCount());
    }

    @Test
    void progressIsReportedEveryStep() {
        List<TrainingProgress> seen = new ArrayList<>();
        new LoraTrainer(model).train(dataset(10, 4), hp(2, 2, 1, 1e-3), null, seen::add);
        assertThat(seen).hasSize(4);
        assertThat(seen.get(3).step()).isEqualTo(4);
        assertThat(seen.get(3).totalSteps()).isEqualTo(4);
        assertThat(seen.get(0).tokensPerSecond()).isPositive();
        assertThat(seen.get(0).line()).contains("step 1/4").contains("loss").contains("tok/s").contains("ETA");
    }

    @Test
    void trainingContinuesFromAGivenAdapter() {
        LoraAdapter init = model.newAdapter(new LoraConfig(3, 3, List.of(LinearModule.V_PROJ, LinearModule.UP_PROJ)), 2);
        init.b(0, LinearModule.V_PROJ)[0] = 0.5f;
        TrainingResult r = new LoraTrainer(model).train(dataset(11, 2), hp(1, 2, 1, 1e-3), init, ProgressListener.NONE);
        assertThat(r.adapter().config().r()).isEqualTo(3);
        assertThat(r.adapter().config().targetModules()).containsExactly(LinearModule.V_PROJ, LinearModule.UP_PROJ);
        assertThat(r.adapter().b(0, LinearModule.V_PROJ)[0]).isCloseTo(0.5f, org.assertj.core.data.Offset.offset(0.01f));
    }

    @Test
    void adamWMatchesAScalarReferenceOverSeveralSteps() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(new float[] {1f, 2f, -3f});
            WarmupCosineTracker lrs = new WarmupCosineTracker(0.01, 2, 10);
            AdamW opt = new AdamW(lrs, 0.9, 0.999, 1e-8, 0.1);
            double[] rw = {1, 2, -3};
            double[] rm = new double[3];
            double[] rv = new double[3];
            SplittableRandom r = new SplittableRandom(1);
            for (int t = 1; t <= 6; t++) {
                float[] g = {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
                opt.nextStep();
                opt.update("w", w, m.create(g));
                double lr = (float) lrs.valueAt(t);
                for (int i = 0; i < 3; i++) {
                    rw[i] *= 1 - lr * 0.1;
                    rm[i] = 0.9 * rm[i] + 0.1 * g[i];
                    rv[i] = 0.999 * rv[i] + 0.001 * g[i] * g[i];
                    rw[i] -= lr * (rm[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(rv[i] / (1 - Math.pow(0.999, t))) + 1e-8);
                }
            }
            float[] got = w.toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertThat((double) got[i]).isCloseTo(rw[i], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void nonFiniteLossFailsClearlyAndWritesNothing() throws Exception {
        Path dir = tmp.resolve("nan-model");
        TestCheckpoints.writeSmallLlama(dir, 5, false, false);
        // poison the output head
        var w = new dev.ragtune.model.safetensors.SafetensorsWriter();
        try (Checkpoint c = Checkpoint.open(dir)) {
            for (var name : c.weights().files()) {
                try (var f = dev.ragtune.model.safetensors.SafetensorsFile.open(name)) {
                    for (var t : f.tensors().values()) {
                        float[] v = f.readFloats(t.name());
                        if (t.name().equals("lm_head.weight")) {
                            v[3] = Float.NaN;
                        }
                        w.add(t.name(), t.dtype(), t.shape(), v);
                    }
                }
            }
        }
        w.write(dir.resolve("model.safetensors"));
        Path data = tmp.resolve("d.jsonl");
        Files.writeString(data, "{\"prompt\":\"a\",\"completion\":\"b\"}\n");
        Path out = tmp.resolve("nan-out");
        assertThatThrownBy(() -> TrainingRun.run(dir, data, out, TrainingOptions.defaults().withEpochs(1), ProgressListener.NONE))
                .isInstanceOf(TrainingDivergedException.class).hasMessageContaining("NaN").hasMessageContaining("step 1");
        assertThat(out).doesNotExist();
    }
}
