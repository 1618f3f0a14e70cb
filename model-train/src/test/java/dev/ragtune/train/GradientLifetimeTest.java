package dev.ragtune.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.tokenize.ModelTokenizer;
import dev.ragtune.model.tokenize.TrainingSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operands that autograd saves must outlive the backward pass (see {@link EngineArrays}). The test makes the
 * hazard happen on purpose: between forward and backward it runs the garbage collector (so the cleaner frees the
 * direct buffers of closed arrays) and then allocates thousands of small direct buffers filled with NaN, which
 * malloc serves from the chunks just freed. An operand whose memory was released then reads NaN.
 */
class GradientLifetimeTest {
    @TempDir
    Path tmp;

    /** GC, then reuse freed small native chunks with NaN bytes; the returned buffers must be kept until backward. */
    static List<ByteBuffer> allocatorPressure() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
        List<ByteBuffer> keep = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, Float.NaN);
            keep.add(b);
        }
        return keep;
    }

    /** d/dx sum(x · s) for a scalar operand built by {@code scalar}, with the allocator reused before backward. */
    private static float[] gradientOfScaledSum(NDManager m, java.util.function.BiFunction<NDArray, NDManager, NDArray> scaled)
            throws InterruptedException {
        try (NDManager s = m.newSubManager()) {
            NDArray x = EngineArrays.owned(s.randomUniform(0.5f, 1.5f, new Shape(16)));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = scaled.apply(x, s).sum();
                List<ByteBuffer> keep = allocatorPressure();
                gc.backward(y);
                assertThat(keep).hasSize(20_000);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void engineScalarsSurviveTheBackwardPass() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int it = 0; it < 10; it++) {
                float[] g = gradientOfScaledSum(m, (x, s) -> x.mul(EngineArrays.scalar(s, 3f)));
                for (float v : g) {
                    assertThat(v).as("iteration %d", it).isEqualTo(3f);
                }
            }
        }
    }

    /**
     * Canary for the engine bug this project works around: DJL's {@code x.mul(3f)} frees its scalar before the
     * backward pass. If this starts failing, DJL keeps scalar operands alive and {@link EngineArrays#scalar} could go.
     */
    @Test
    void djlScalarOperatorsLoseTheirOperandUnderPressure() throws Exception {
        int wrong = 0;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int it = 0; it < 10; it++) {
                float[] g = gradientOfScaledSum(m, (x, s) -> x.mul(3f));
                if (g[0] != 3f) {
                    wrong++;
                }
            }
        }
        assertThat(wrong).as("iterations whose gradient read freed memory").isPositive();
    }

    @Test
    void modelGradientsAreIdenticalUnderAllocatorPressure() throws Exception {
        Path ckptDir = tmp.resolve("model");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 11);
        var conversations = TrainingData.read(KnowledgeInjectionTest.factsFile());
        try (Checkpoint ckpt = Checkpoint.open(ckptDir);
             ModelTokenizer tok = ModelTokenizer.load(ckptDir, ckpt.config().eosTokenIds());
             NDManager root = NDManager.newBaseManager(Device.cpu(), "PyTorch");
             LlamaModel model = LlamaModel.load(ckpt, root)) {
            List<LoraTrainer.Example> batch = new ArrayList<>();
            for (TrainingSequence s : TrainingRun.tokenize(tok, conversations.subList(0, 4))) {
                batch.add(LoraTrainer.toExample(s, 256));
            }
            model.newAdapter(new LoraConfig(8, 16, LinearModule.all()), 5);
            Map<String, NDArray> params = model.trainableParameters();
            for (var e : params.entrySet()) { // B starts at zero; give it values so every gradient path is non-trivial
                if (e.getKey().endsWith(".B")) {
                    e.getValue().addi(e.getValue().getManager().randomNormal(e.getValue().getShape()).mul(0.02f));
                }
            }
            LoraTrainer trainer = new LoraTrainer(model);
            List<float[]> reference = gradients(model, trainer, batch, params, false);
            for (int rep = 0; rep < 3; rep++) {
                List<float[]> again = gradients(model, trainer, batch, params, true);
                int k = 0;
                for (String name : params.keySet()) {
                    assertThat(again.get(k)).as("gradient of %s, repetition %d", name, rep).containsExactly(reference.get(k));
                    k++;
                }
            }
            assertThat(reference.stream().allMatch(g -> {
                for (float v : g) {
                    if (!Float.isFinite(v)) {
                        return false;
                    }
                }
                return true;
            })).isTrue();
            assertThat(reference.get(0)).as("a non-trivial gradient").isNotEqualTo(new float[reference.get(0).length]);
        }
    }

    private static List<float[]> gradients(LlamaModel model, LoraTrainer trainer, List<LoraTrainer.Example> batch,
                                           Map<String, NDArray> params, boolean pressure) throws InterruptedException {
        List<float[]> out = new ArrayList<>();
        try (NDManager scope = model.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = trainer.batchLoss(scope, batch);
                NDArray mean = loss.div(EngineArrays.scalar(scope, 7f));
                List<ByteBuffer> keep = pressure ? allocatorPressure() : List.of();
                gc.backward(mean);
                assertThat(keep.size()).isIn(0, 20_000);
            }
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.attach(scope);
                out.add(g.toFloatArray());
                g.subi(g);
            }
        }
        return out;
    }
}
