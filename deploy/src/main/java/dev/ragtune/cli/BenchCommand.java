package dev.ragtune.cli;

import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code ragtune bench …}: the programs whose figures go into docs/benchmarks.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (figures for docs/benchmarks.md).",
        subcommands = {BenchCommand.Generate.class, BenchCommand.Train.class})
public final class BenchCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Decode tokens/s and time to first token through ONNX Runtime, against the memory-bandwidth floor.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true)
        Path checkpoint;
        @Option(names = "--precision", defaultValue = "fp32")
        String precision;
        @Option(names = "--streams", defaultValue = "1", description = "Concurrent requests (default ${DEFAULT-VALUE}).")
        int streams;
        @Option(names = "--prompt-tokens", defaultValue = "64")
        int promptTokens;
        @Option(names = "--tokens", defaultValue = "64", description = "Tokens generated per request.")
        int tokens;
        @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds after one warm-up.")
        int rounds;

        @Override
        public Integer call() throws Exception {
            Precision p = Precision.parse(precision);
            double bandwidth = copyBandwidthBytesPerSecond();
            try (ServingModel model = ServingModel.open(checkpoint, RagtuneCli.exportCache(), p, 0)) {
                long weightBytes = Files.size(model.exportDir().resolve(OnnxExporter.DATA_FILE));
                Random random = new Random(42);
                ExecutorService pool = Executors.newFixedThreadPool(streams);
                try {
                    run(model, pool, random); // warm-up
                    double ttft = 0;
                    double perStream = 0;
                    double aggregate = 0;
                    for (int round = 0; round < rounds; round++) {
                        long start = System.nanoTime();
                        List<GenerationResult> results = run(model, pool, random);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        int total = 0;
                        for (GenerationResult r : results) {
                            ttft += r.ttftMs() / results.size() / rounds;
                            perStream += r.tokensPerSecond() / results.size() / rounds;
                            total += r.tokenIds().length;
                        }
                        aggregate += total / seconds / rounds;
                    }
                    double floorTokensPerSecond = bandwidth / weightBytes;
                    System.out.printf("checkpoint=%s precision=%s streams=%d prompt=%d generated=%d%n", checkpoint, p.suffix(),
                            streams, promptTokens, tokens);
                    System.out.printf("weights read per token: %.1f MB; measured copy bandwidth: %.2f GB/s; floor: %.1f tokens/s%n",
                            weightBytes / 1e6, bandwidth / 1e9, floorTokensPerSecond);
                    System.out.printf("ttft_ms=%.1f decode_tokens_per_s_per_stream=%.1f aggregate_tokens_per_s=%.1f "
                                    + "ratio_to_bandwidth_floor=%.2f%n", ttft, perStream, aggregate, aggregate / floorTokensPerSecond);
                } finally {
                    pool.shutdownNow();
                }
            }
            return 0;
        }

        private List<GenerationResult> run(ServingModel model, ExecutorService pool, Random random) throws Exception {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                int[] prompt = new int[promptTokens];
                for (int i = 0; i < prompt.length; i++) {
                    prompt[i] = random.nextInt(256); // byte tokens: valid in every byte-level vocabulary
                }
                // sampled at temperature 1 so random weights rarely end the turn early; tokens/s counts what was generated
                GenerationRequest req = new GenerationRequest(prompt, new SamplingParams(tokens, 1.0, 0, 1.0, 1.0, s, List.of()), null);
                futures.add(pool.submit(() -> model.generator().generate(req)));
            }
            List<GenerationResult> out = new ArrayList<>();
            for (Future<GenerationResult> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "LoRA training tokens/s and peak RSS on synthetic sequences of a fixed length.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true)
        Path checkpoint;
        @Option(names = "--seq-len", defaultValue = "256")
        int seqLen;
        @Option(names = "--rank", defaultValue = "16")
        int rank;
        @Option(names = "--steps", defaultValue = "6", description = "Optimizer steps of one sequence each (default ${DEFAULT-VALUE}).")
        int steps;

        @Override
        public Integer call() throws Exception {
            Random random = new Random(7);
            List<dev.ragtune.model.tokenize.TrainingSequence> data = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                int[] ids = new int[seqLen];
                boolean[] trainable = new boolean[seqLen];
                for (int t = 0; t < seqLen; t++) {
                    ids[t] = random.nextInt(256);
                    trainable[t] = t > 0;
                }
                data.add(new dev.ragtune.model.tokenize.TrainingSequence(ids, trainable));
            }
            try (dev.ragtune.model.checkpoint.Checkpoint ckpt = dev.ragtune.model.checkpoint.Checkpoint.open(checkpoint)) {
                var options = dev.ragtune.train.TrainingOptions.defaults().withRank(rank).withEpochs(1)
                        .withBatchSize(1).withMaxSeqLen(seqLen);
                var hp = dev.ragtune.train.HyperparameterDefaults.resolve(options, ckpt.config(), data.size(), seqLen);
                long start = System.nanoTime();
                try (ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager(
                        dev.ragtune.train.TrainingRun.defaultDevice(), "PyTorch");
                     dev.ragtune.train.LlamaModel model = dev.ragtune.train.LlamaModel.load(ckpt, root)) {
                    double loadSeconds = (System.nanoTime() - start) / 1e9;
                    var result = new dev.ragtune.train.LoraTrainer(model).train(data, hp, null, p -> { });
                    System.out.printf("checkpoint=%s seq_len=%d rank=%d steps=%d device=%s%n", checkpoint, seqLen, rank, steps,
                            dev.ragtune.train.TrainingRun.defaultDevice());
                    System.out.printf("load_s=%.1f train_tokens_per_s=%.1f trainable_params=%d peak_rss_mb=%d%n", loadSeconds,
                            result.metrics().tokensPerSecond(), result.metrics().trainableParameters(), peakRssMb());
                }
            }
            return 0;
        }

        /** VmHWM of this process (Linux), or -1 where /proc is not there. */
        static long peakRssMb() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }

    /** Bytes per second of a large memory copy (read + write counted once, as a decode step reads weights once). */
    static double copyBandwidthBytesPerSecond() {
        int size = 256 << 20;
        ByteBuffer src = ByteBuffer.allocateDirect(size);
        ByteBuffer dst = ByteBuffer.allocateDirect(size);
        double best = 0;
        for (int i = 0; i < 5; i++) {
            src.clear();
            dst.clear();
            long start = System.nanoTime();
            dst.put(src);
            double s = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, size / s);
        }
        return best;
    }
}
