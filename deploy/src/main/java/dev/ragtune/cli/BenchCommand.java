package dev.ragtune.cli;

import dev.ragtune.common.generate.GenerationRequest;
import dev.ragtune.common.generate.GenerationResult;
import dev.ragtune.common.generate.SamplingParams;
import dev.ragtune.common.generate.ServingModel;
import dev.ragtune.common.onnx.OnnxExporter;
import dev.ragtune.common.onnx.Precision;
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
        subcommands = {BenchCommand.Generate.class})
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
