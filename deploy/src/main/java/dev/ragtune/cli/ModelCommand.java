package dev.ragtune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ragtune model demo|export}: make and convert checkpoints. */
@Command(name = "model", description = "Make a demo or random checkpoint, or export one to ONNX.",
        mixinStandardHelpOptions = true, subcommands = {ModelCommand.Demo.class, ModelCommand.Random.class, ModelCommand.Export.class})
public final class ModelCommand {

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Write a deterministic random-weight checkpoint in the Hugging Face layout.")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Folder to write the checkpoint to.")
        Path out;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--preset", defaultValue = "tiny", description = "tiny or qwen2.5-0.5b (default ${DEFAULT-VALUE}).")
        String preset;
        @Option(names = "--architecture", hidden = true, defaultValue = "QWEN2")
        Architecture architecture;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            ModelConfig c = DemoCheckpointWriter.write(out, DemoPreset.parse(preset), seed, architecture);
            System.out.printf("wrote %s checkpoint (%s, %d layers, hidden %d, %d/%d heads, vocab %d) to %s in %.1f s%n",
                    preset, c.architecture().hfName(), c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(),
                    c.vocabSize(), out, (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }

    @Command(name = "random", mixinStandardHelpOptions = true,
            description = {"Write a random-weight checkpoint shaped like a real one: its config.json with fewer layers,"
                    + " its tokenizer files copied, random weights (std 0.02) in its exact tensor layout and dtype.",
                    "The vocabulary stays the real one (150k-262k rows), so give --hidden 64..192 for a small, fast model."})
    static final class Random implements Callable<Integer> {
        @Option(names = "--like", required = true, description = "Folder with the real config.json, tokenizer.json and tokenizer_config.json.")
        Path like;
        @Option(names = "--out", required = true, description = "Folder to write the checkpoint to.")
        Path out;
        @Option(names = "--layers", defaultValue = "2", description = "Number of layers (default ${DEFAULT-VALUE}).")
        int layers;
        @Option(names = "--hidden", defaultValue = "0", description = "Hidden size; 0 keeps the real one. Without an explicit"
                + " head_dim in the config, head counts shrink to keep the head width, so give a multiple of it.")
        int hidden;
        @Option(names = "--intermediate", defaultValue = "0", description = "MLP width; 0 keeps the real one.")
        int intermediate;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            ModelConfig c = DemoCheckpointWriter.writeLike(like, layers, hidden, intermediate, seed, out);
            try (Checkpoint ckpt = Checkpoint.open(out)) { // validates config, tensors and tokenizer together
                System.out.printf("wrote %s-shaped checkpoint (%s, %d layers, hidden %d, intermediate %d, %d/%d heads of %d,"
                                + " vocab %d, %s) to %s in %.1f s%n", like.getFileName(), c.architecture().hfName(),
                        c.numLayers(), c.hiddenSize(), c.intermediateSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
                        c.vocabSize(), c.torchDtype(), out, (System.nanoTime() - start) / 1e9);
            }
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export a checkpoint to an ONNX decoder with KV cache and LoRA inputs (skipped when up to date).")
    static final class Export implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "Hugging Face checkpoint folder.")
        Path checkpoint;
        @Option(names = "--out", required = true, description = "Folder for model.onnx, its data and genai_config.json.")
        Path out;
        @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or fp16 weights (default ${DEFAULT-VALUE}).")
        String precision;

        @Override
        public Integer call() throws Exception {
            Precision p = Precision.parse(precision);
            try (Checkpoint ckpt = Checkpoint.open(checkpoint)) {
                String hash = ckpt.contentHash();
                Path manifest = out.resolve(OnnxExporter.MANIFEST_FILE);
                if (Files.isRegularFile(manifest)) {
                    var m = new ObjectMapper().readTree(manifest.toFile());
                    if (hash.equals(m.path("checkpointSha256").asText()) && p.suffix().equals(m.path("precision").asText())
                            && m.path("graphVersion").asInt() == OnnxExporter.GRAPH_VERSION) {
                        System.out.println("up to date: " + out + " (checkpoint sha256 " + hash.substring(0, 12) + ")");
                        return 0;
                    }
                }
                long start = System.nanoTime();
                OnnxExporter.export(ckpt, out, p, hash);
                System.out.printf("exported %s (%s) to %s in %.1f s%n", checkpoint, p.suffix(), out, (System.nanoTime() - start) / 1e9);
            }
            return 0;
        }
    }
}
