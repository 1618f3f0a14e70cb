package dev.ragtune.tuning.eval;

import ai.djl.ndarray.NDManager;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.base.BaseModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.train.LlamaModel;
import dev.ragtune.train.TrainingRun;

import java.nio.file.Path;
import java.util.List;

/**
 * Measures model variants of one base checkpoint on the same data: loss and perplexity through the
 * DJL forward (what is trained), greedy answers through ONNX Runtime (what is served; the two
 * forwards agree to 1e-4, see {@code DjlOrtParityTest}). Uses one {@link BaseModel} for all variants
 * (its checkpoint, tokenizer, content hash and ONNX export). Not thread-safe.
 */
public final class Evaluator implements AutoCloseable {
    private final BaseModel base;
    private final NDManager root;
    private final LlamaModel model;
    private final ServingModel serving;
    private final LossEvaluator loss;
    private final GreedyAnswerer answers;

    /**
     * Opens the checkpoint itself (and closes it with the evaluator).
     *
     * @param onnxCache    where the ONNX export of the checkpoint is cached (by content hash)
     * @param maxNewTokens cap on generated tokens per answer
     */
    public Evaluator(Path checkpointDir, Path onnxCache, int maxNewTokens) {
        this(BaseModel.open(checkpointDir), onnxCache, maxNewTokens, false);
    }

    /**
     * On a base model already opened: the evaluator takes a reference of its own; the caller keeps (and closes) {@code base}.
     *
     * @param onnxCache    where the ONNX export of the checkpoint is cached (by content hash)
     * @param maxNewTokens cap on generated tokens per answer
     */
    public Evaluator(BaseModel base, Path onnxCache, int maxNewTokens) {
        this(base, onnxCache, maxNewTokens, true);
    }

    /** @param retain false: {@code base} is a reference handed over to this evaluator */
    private Evaluator(BaseModel base, Path onnxCache, int maxNewTokens, boolean retain) {
        BaseModel b = retain ? base.retain() : base;
        NDManager r = null;
        LlamaModel m = null;
        try {
            r = NDManager.newBaseManager(TrainingRun.defaultDevice(), "PyTorch");
            m = LlamaModel.load(b.checkpoint(), r);
            this.serving = ServingModel.open(b, onnxCache, Precision.FP32, 0);
        } catch (RuntimeException e) {
            if (m != null) {
                m.close();
            }
            if (r != null) {
                r.close();
            }
            b.close();
            throw e;
        }
        this.base = b;
        this.root = r;
        this.model = m;
        int maxSeqLen = Math.max(2, Math.min(2048, b.config().maxPositionEmbeddings()));
        this.loss = new LossEvaluator(m, b.tokenizer(), maxSeqLen);
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
        model.setAdapter(PeftAdapterIO.read(adapterDir, base.config(), serving.baseHash()));
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
        base.close();
    }
}
