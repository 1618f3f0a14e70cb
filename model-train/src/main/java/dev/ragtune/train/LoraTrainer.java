package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.tokenize.TrainingSequence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a LoRA adapter on a {@link LlamaModel}:
 * <ul>
 *   <li>loss: mean cross-entropy of the next token over the assistant tokens of the step's
 *       conversations only (prompt, system and padding positions contribute nothing);</li>
 *   <li>optimizer: {@link AdamW} (decoupled weight decay) with a {@link WarmupCosineTracker};</li>
 *   <li>global gradient-norm clipping, gradient accumulation over micro-batches;</li>
 *   <li>a non-finite loss fails at once; a step with non-finite gradients is skipped and
 *       counted (see {@link #MAX_CONSECUTIVE_SKIPS}), as mixed-precision loss scalers do. With every
 *       saved operand in engine memory ({@link EngineArrays}) this no longer happens on sound
 *       hyperparameters; it remains a guard against a learning rate that blows up;</li>
 *   <li>reproducible: initialisation and data order come from Java generators seeded by
 *       {@code seed}, and nothing random happens in the engine, so on CPU two runs give the same
 *       loss curve bit for bit.</li>
 * </ul>
 */
public final class LoraTrainer {
    /** More skipped (non-finite gradient) steps than this in a row, or over 5 % of all steps, is divergence. */
    static final int MAX_CONSECUTIVE_SKIPS = 3;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LoraTrainer.class);
    private final LlamaModel model;

    public LoraTrainer(LlamaModel model) {
        this.model = model;
    }

    /** A conversation cut to the maximum length, with its next-token targets. */
    record Example(int[] ids, boolean[] target) {
        int targets() {
            int n = 0;
            for (boolean b : target) {
                n += b ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * Position {@code t} is trained to predict {@code ids[t+1]} when that token is an assistant
     * token; sequences longer than {@code maxSeqLen} are cut. Returns null when nothing is left to learn.
     */
    static Example toExample(TrainingSequence seq, int maxSeqLen) {
        int n = Math.min(seq.length(), maxSeqLen);
        int[] ids = Arrays.copyOf(seq.ids(), n);
        boolean[] target = new boolean[n];
        boolean any = false;
        for (int t = 0; t + 1 < n; t++) {
            target[t] = seq.trainable()[t + 1];
            any |= target[t];
        }
        return any ? new Example(ids, target) : null;
    }

    /**
     * Trains the adapter {@code init} (or a fresh one from {@code hp}'s rank, alpha and targets)
     * and leaves the result installed in the model.
     *
     * @throws TrainingDivergedException when the loss or the gradient norm is not finite
     */
    public TrainingResult train(List<TrainingSequence> data, Hyperparameters hp, LoraAdapter init,
                                ProgressListener listener) {
        long started = System.nanoTime();
        // Parameters are updated in place outside the gradient collector, which libtorch allows only with autograd
        // off. Grad mode is per thread and DJL switches it off only on the thread that initialised the engine, so
        // a trainer on any other thread (a job runner) would fail with "a leaf Variable that requires grad is being
        // used in an in-place operation". The engine is loaded by the model already (the native method is linked).
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        List<Example> examples = new ArrayList<>();
        int truncated = 0;
        long tokensPerEpoch = 0;
        long targetsPerEpoch = 0;
        for (TrainingSequence s : data) {
            if (s.length() > hp.maxSeqLen()) {
                truncated++;
            }
            Example e = toExample(s, hp.maxSeqLen());
            if (e != null) {
                examples.add(e);
                tokensPerEpoch += e.ids().length;
                targetsPerEpoch += e.targets();
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training example has an assistant token within the first "
                    + hp.maxSeqLen() + " tokens");
        }
        if (init != null) {
            model.setAdapter(init);
        } else {
            model.newAdapter(new LoraConfig(hp.rank(), hp.alpha(), hp.targets()), hp.seed());
        }
        Map<String, NDArray> params = model.trainableParameters();
        long trainable = params.values().stream().mapToLong(p -> p.getShape().size()).sum();

        int perStep = hp.batchSize() * hp.gradAccumulation();
        int stepsPerEpoch = (examples.size() + perStep - 1) / perStep;
        int totalSteps = stepsPerEpoch * hp.epochs();
        int warmup = (int) Math.round(hp.warmupRatio() * totalSteps);
        WarmupCosineTracker schedule = new WarmupCosineTracker(hp.learningRate(), warmup, totalSteps);
        AdamW adamW = new AdamW(schedule, hp.weightDecay());

        List<TrainingMetrics.StepRecord> curve = new ArrayList<>();
        long tokensSeen = 0;
        long trainStart = System.nanoTime();
        int step = 0;
        int skipped = 0;
        int consecutiveSkips = 0;
        Random order = new Random(hp.seed());
        for (int epoch = 1; epoch <= hp.epochs(); epoch++) {
            List<Example> shuffled = new ArrayList<>(examples);
            java.util.Collections.shuffle(shuffled, order);
            for (int s = 0; s < stepsPerEpoch; s++) {
                List<Example> stepExamples = shuffled.subList(s * perStep, Math.min(shuffled.size(), (s + 1) * perStep));
                int stepTargets = stepExamples.stream().mapToInt(Example::targets).sum();
                double loss = 0;
                try (NDManager scope = model.manager().newSubManager()) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        for (int mb = 0; mb < stepExamples.size(); mb += hp.batchSize()) {
                            List<Example> batch = stepExamples.subList(mb, Math.min(stepExamples.size(), mb + hp.batchSize()));
                            try (NDManager micro = scope.newSubManager()) {
                                NDArray nllSum = batchLoss(micro, batch);
                                NDArray scaled = nllSum.div(EngineArrays.scalar(micro, stepTargets));
                                float value = scaled.getFloat();
                                if (!Float.isFinite(value)) {
                                    throw new TrainingDivergedException("loss became " + value + " at step " + (step + 1)
                                            + " of " + totalSteps + "; lower the learning rate (now " + hp.learningRate() + ")");
                                }
                                loss += value;
                                gc.backward(scaled);
                            }
                            for (Example e : batch) {
                                tokensSeen += e.ids().length;
                            }
                        }
                    }
                    step++;
                    String problem = applyUpdate(scope, params, adamW, hp.maxGradNorm());
                    if (problem != null) {
                        skipped++;
                        consecutiveSkips++;
                        log.warn("step {} of {} skipped: {}", step, totalSteps, problem);
                        if (consecutiveSkips > MAX_CONSECUTIVE_SKIPS || skipped > Math.max(MAX_CONSECUTIVE_SKIPS, totalSteps / 20)) {
                            throw new TrainingDivergedException("training diverged: " + skipped + " steps with non-finite"
                                    + " gradients, the last at step " + step + " of " + totalSteps + ": " + problem
                                    + "; lower the learning rate (now " + hp.learningRate() + ")");
                        }
                    } else {
                        consecutiveSkips = 0;
                    }
                }
                double lr = schedule.valueAt(step);
                curve.add(new TrainingMetrics.StepRecord(step, epoch, loss, lr));
                double elapsed = (System.nanoTime() - trainStart) / 1e9;
                double eta = elapsed / step * (totalSteps - step);
                listener.onStep(new TrainingProgress(step, totalSteps, epoch, loss, lr, tokensSeen / Math.max(elapsed, 1e-9),
                        Duration.ofMillis((long) (eta * 1000))));
            }
        }
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        TrainingMetrics metrics = new TrainingMetrics(curve, tokensSeen / Math.max(trainSeconds, 1e-9), trainable, hp,
                null, (System.nanoTime() - started) / 1e9, model.manager().getDevice().toString(), examples.size(),
                truncated, tokensPerEpoch, targetsPerEpoch, skipped);
        return new TrainingResult(model.adapter(), metrics);
    }

    /**
     * Sum over the batch's target positions of {@code -log p(next token)}. Only target rows of
     * the final hidden states are projected to the vocabulary, which saves most of the head's cost.
     */
    NDArray batchLoss(NDManager scope, List<Example> batch) {
        int len = batch.stream().mapToInt(e -> e.ids().length).max().orElseThrow();
        int[][] ids = new int[batch.size()][len];               // right-padded with token 0
        List<Long> rows = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            Example e = batch.get(b);
            System.arraycopy(e.ids(), 0, ids[b], 0, e.ids().length);
            for (int t = 0; t < e.ids().length; t++) {
                if (e.target()[t]) {
                    rows.add((long) b * len + t);
                    labels.add((long) e.ids()[t + 1]);
                }
            }
        }
        // Right padding cannot change earlier positions under a causal mask, so no padding mask is needed.
        NDArray hidden = model.hidden(LlamaModel.idsArray(scope, ids));                  // [b, len, H]
        NDArray flat = hidden.reshape(-1, model.config().hiddenSize());                   // [b·len, H]
        NDArray picked = flat.get(EngineArrays.owned(scope.create(rows.stream().mapToLong(Long::longValue).toArray()))); // [N, H]
        NDArray logp = model.project(picked).logSoftmax(-1);                              // [N, V]
        NDArray target = EngineArrays.owned(scope.create(labels.stream().mapToLong(Long::longValue).toArray(), new Shape(labels.size(), 1)));
        return logp.gather(target, 1).sum().neg();                                        // scalar
    }

    /**
     * Clips, updates and zeroes the gradients. A step whose gradient is not finite is skipped
     * (gradients zeroed, no update), as mixed-precision loss scalers do; the caller decides when
     * too many skips mean divergence.
     *
     * @return a description of the non-finite gradients, or null when the update was applied
     */
    private static String applyUpdate(NDManager scope, Map<String, NDArray> params, AdamW optimizer, double maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        NDArray sq = null;
        for (NDArray p : params.values()) {
            NDArray g = p.getGradient();
            g.attach(scope);
            grads.add(g);
            NDArray s = g.square().sum();
            sq = sq == null ? s : sq.add(s);
        }
        double norm = Math.sqrt(sq.getFloat());
        if (!Double.isFinite(norm)) {
            List<String> bad = new ArrayList<>();
            int k = 0;
            for (String name : params.keySet()) {
                NDArray g = grads.get(k++);
                if (!Float.isFinite(g.square().sum().getFloat())) {
                    bad.add(name);
                }
                g.set(g.isNaN().logicalOr(g.isInfinite()), 0f); // in place: non-finite entries to 0 ...
                g.subi(g);                                        // ... then everything to 0
            }
            return "gradient norm " + norm + " (non-finite in " + bad.size() + " of " + params.size()
                    + " parameters, e.g. " + bad.subList(0, Math.min(4, bad.size())) + ")";
        }
        float clip = (float) Math.min(1.0, maxNorm / (norm + 1e-6));
        optimizer.nextStep();
        int i = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = grads.get(i++);
            NDArray update = clip < 1f ? g.mul(clip) : g;
            optimizer.update(e.getKey(), e.getValue(), update);
            g.subi(g); // zero the accumulated gradient in place for the next step
        }
        return null;
    }
}
