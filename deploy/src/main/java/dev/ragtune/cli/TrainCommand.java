package dev.ragtune.cli;

import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.train.Hyperparameters;
import dev.ragtune.train.TrainingData;
import dev.ragtune.train.TrainingDivergedException;
import dev.ragtune.train.TrainingMetrics;
import dev.ragtune.train.TrainingOptions;
import dev.ragtune.train.TrainingResult;
import dev.ragtune.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ragtune train}: trains a LoRA adapter on a checkpoint from a JSONL file and writes the
 * PEFT files, {@code adapter.onnx_adapter} and {@code metrics.json}. Hyperparameters that are not
 * given are chosen from the data (see {@code HyperparameterDefaults}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a LoRA adapter (DJL, PyTorch engine; CUDA when present) on chat data.",
                "Data: JSONL lines {\"messages\":[{\"role\":\"user\",\"content\":\"...\"},{\"role\":\"assistant\",\"content\":\"...\"}]}"
                        + " or {\"prompt\":\"...\",\"completion\":\"...\"}. Without hyperparameter flags, sensible values are chosen from the data."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "Hugging Face checkpoint folder (the base model).")
    Path checkpoint;
    @Option(names = "--data", required = true, description = "Training data, JSONL.")
    Path data;
    @Option(names = "--out", required = true, description = "Output folder for the adapter.")
    Path out;
    @Option(names = "--rank", description = "LoRA rank r (default 16).")
    Integer rank;
    @Option(names = "--alpha", description = "LoRA alpha (default 2 x rank).")
    Double alpha;
    @Option(names = "--epochs", description = "Passes over the data (default: from the dataset size).")
    Integer epochs;
    @Option(names = "--lr", description = "Peak learning rate (default: from the rank).")
    Double lr;
    @Option(names = "--max-seq-len", description = "Cut conversations to this many tokens (default: the longest, at most 2048).")
    Integer maxSeqLen;
    @Option(names = "--targets", split = ",", description = "Target modules, comma-separated (default "
            + "'all': the family's projections, q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj, or Phi-3's "
            + "qkv_proj,o_proj,gate_up_proj,down_proj).")
    List<String> targets;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation and data order (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--init-from", description = "PEFT adapter folder to continue training from.")
    Path initFrom;
    @Option(names = "--batch-size", description = "Conversations per micro-batch (default: from the dataset size).")
    Integer batchSize;
    @Option(names = "--grad-accumulation", description = "Micro-batches per optimizer step (default 1).")
    Integer gradAccumulation;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outw = spec.commandLine().getOut();
        TrainingOptions options;
        try {
            options = TrainingOptions.defaults().withSeed(seed).withRank(rank).withAlpha(alpha).withEpochs(epochs)
                    .withLearningRate(lr).withMaxSeqLen(maxSeqLen).withTargets(parseTargets(targets))
                    .withInitFrom(initFrom).withBatchSize(batchSize).withGradAccumulation(gradAccumulation);
        } catch (IllegalArgumentException e) {
            err.println("ragtune train: error: " + e.getMessage());
            return 2;
        }
        boolean tty = System.console() != null;
        long[] lastPrint = {0};
        TrainingResult result;
        try {
            result = TrainingRun.run(checkpoint, data, out, options, p -> {
                long now = System.nanoTime();
                boolean last = p.step() == p.totalSteps();
                if (tty) {
                    err.print("\r" + p.line() + "   ");
                    if (last) {
                        err.println();
                    }
                    err.flush();
                } else if (last || p.step() == 1 || now - lastPrint[0] > 5_000_000_000L) {
                    err.println(p.line());
                    err.flush();
                    lastPrint[0] = now;
                }
            });
        } catch (TrainingData.BadDataException | TrainingDivergedException e) {
            err.println("ragtune train: error: " + e.getMessage());
            return 2;
        }
        printSummary(outw, result);
        return 0;
    }

    static List<LinearModule> parseTargets(List<String> names) {
        if (names == null || names.isEmpty()) {
            return null;
        }
        List<LinearModule> out = new ArrayList<>();
        for (String n : names) {
            String name = n.trim();
            if (name.equals("all")) {
                return null; // every projection of the checkpoint's family
            }
            out.add(LinearModule.byShortName(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown target module '" + name + "'; choose from "
                    + String.join(",", LinearModule.known().stream().map(LinearModule::shortName).toList()))));
        }
        return out;
    }

    private void printSummary(PrintWriter w, TrainingResult r) {
        TrainingMetrics m = r.metrics();
        Hyperparameters hp = m.hyperparameters();
        w.printf(Locale.ROOT, "adapter written to %s%n", out.toAbsolutePath());
        w.printf(Locale.ROOT, "  files: adapter_config.json, adapter_model.safetensors, adapter.onnx_adapter, metrics.json%n");
        w.printf(Locale.ROOT, "  examples %d (%d cut to %d tokens), %d steps, final loss %.4f%n", m.examples(),
                m.truncatedExamples(), hp.maxSeqLen(), m.lossCurve().size(), m.finalLoss());
        w.printf(Locale.ROOT, "  rank %d, alpha %s, lr %.2e, epochs %d, batch %d x %d, targets %s%n", hp.rank(),
                stripZeros(hp.alpha()), hp.learningRate(), hp.epochs(), hp.batchSize(), hp.gradAccumulation(),
                hp.targets().stream().map(LinearModule::shortName).toList());
        w.printf(Locale.ROOT, "  %,d trainable parameters, %.0f tokens/s on %s, %.1f s wall%n", m.trainableParameters(),
                m.tokensPerSecond(), m.device(), m.wallSeconds());
        w.flush();
    }

    private static String stripZeros(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
