package dev.ragtune.tuning.eval;

import ai.djl.ndarray.NDManager;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.model.tokenize.ModelTokenizer;
import dev.ragtune.train.LlamaModel;
import dev.ragtune.train.TrainingRun;

import java.nio.file.Path;
import java.util.List;

/**
 * Measures model variants of one base checkpoint on the same data: loss and perplexity through the
 * DJL forward (what is trained), greedy answers through ONNX Runtime (what is served; the two
 * forwards agree to 1e-4, see {@code DjlOrtParityTest}). Opens the checkpoint once for all variants.
 * Not thread-safe.
 */
public final class Evaluator implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final ModelTokenizer tokenizer;
    private final NDManager root;
    private final LlamaModel model;
    private final ServingModel serving;
    private final LossEvaluator loss;
    private final GreedyAnswerer answers;

    /**
     * @param onnxCache    where the ONNX export of the checkpoint is cached (by content hash)
     * @param maxNewTokens cap on generated tokens per answer
     */
    public Evaluator(Path checkpointDir, Path onnxCache, int maxNewTokens) {
        Checkpoint c = Checkpoint.open(checkpointDir);
        ModelTokenizer t = null;
        NDManager r = null;
        LlamaModel m = null;
        try {
            t = ModelTokenizer.load(checkpointDir, c.config().eosTokenIds());
            r = NDManager.newBaseManager(TrainingRun.defaultDevice(), "PyTorch");
            m = LlamaModel.load(c, r);
            this.serving = ServingModel.open(checkpointDir, onnxCache, Precision.FP32, 0);
        } catch (RuntimeException e) {
            if (m != null) {
                m.close();
            }
            if (r != null) {
                r.close();
            }
            if (t != null) {
                t.close();
            }
            c.close();
            throw e;
        }
        this.checkpoint = c;
        this.tokenizer = t;
        this.root = r;
        this.model = m;
        int maxSeqLen = Math.max(2, Math.min(2048, c.config().maxPositionEmbeddings()));
        this.loss = new LossEvaluator(m, t, maxSeqLen);
        this.answers = new GreedyAnswerer(serving, maxNewTokens);
    }

    public String baseHash() {
        return serving.baseHash();
    }

    /**
     * @param adapterDir a PEFT adapter folder (with or without its {@code .onnx_adapter}), or null for the base model
     */
    public ModelEvaluation evaluate(String name, Path adapterDir, List<EvalExample> eval, List<EvalExample> trainSample) {
        if (adapterDir == null) {
            model.clearAdapter();
            LossResult l = loss.evaluate(eval);
            return new ModelEvaluation(l, answers.score(eval, null), answers.score(trainSample, null));
        }
        model.setAdapter(PeftAdapterIO.read(adapterDir, checkpoint.config(), serving.baseHash()));
        try (OrtAdapter ort = serving.loadAdapter(name, adapterDir)) {
            LossResult l = loss.evaluate(eval);
            return new ModelEvaluation(l, answers.score(eval, ort), answers.score(trainSample, ort));
        } finally {
            model.clearAdapter();
        }
    }

    @Override
    public void close() {
        serving.close();
        model.close();
        root.close();
        tokenizer.close();
        checkpoint.close();
    }
}
