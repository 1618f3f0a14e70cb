package dev.ragtune.model.base;

import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.CheckpointCounters;
import dev.ragtune.model.checkpoint.CheckpointCounters.Operation;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.tokenize.ModelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark, run by hand (never asserted): what opening a checkpoint costs, for the tiny demo model and one with the
 * tensor shapes of Qwen2.5-0.5B (random bf16 weights, 0.99 GB): {@link Checkpoint#open}, {@link Checkpoint#contentHash}
 * and {@link ModelTokenizer#load}, each three times (the page cache is warm after the first), and what one job of the
 * tuning-worker paid for them before the worker shared a {@link BaseModel} (4 opens, 2 hashes, 3 tokenizer loads) and
 * after (1 of each, for the first job on a checkpoint; none for later jobs). Writes
 * {@code model-core/target/benchmark-base-model.txt}.
 *
 * <pre>./mvnw -B -ntp -pl model-core verify -Dtest=BaseModelBenchmark -Dragtune.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfSystemProperty(named = "ragtune.bench", matches = "true")
class BaseModelBenchmark {
    @TempDir
    Path tmp;

    @Test
    void openHashAndTokenizerLoad() throws Exception {
        StringBuilder report = new StringBuilder();
        for (DemoPreset preset : DemoPreset.values()) {
            Path dir = tmp.resolve(preset.cliName());
            var config = DemoCheckpointWriter.write(dir, preset, 7);
            long bytes = Files.size(dir.resolve("model.safetensors"));
            double open = Double.MAX_VALUE;
            double hash = Double.MAX_VALUE;
            double tokenizer = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                CheckpointCounters.Snapshot before = CheckpointCounters.snapshot();
                try (Checkpoint c = Checkpoint.open(dir);
                     ModelTokenizer t = ModelTokenizer.load(dir, config.eosTokenIds())) {
                    c.contentHash();
                }
                CheckpointCounters.Snapshot s = CheckpointCounters.snapshot().since(before);
                report.append(String.format(Locale.ROOT, "%s round %d: %s%n", preset.cliName(), round + 1, s));
                open = Math.min(open, s.seconds(Operation.OPEN));
                hash = Math.min(hash, s.seconds(Operation.HASH));
                tokenizer = Math.min(tokenizer, s.seconds(Operation.TOKENIZER_LOAD));
            }
            double beforeJob = 4 * open + 2 * hash + 3 * tokenizer;
            double afterFirst = open + hash + tokenizer;
            report.append(String.format(Locale.ROOT,
                    "%s (%.2f GB of weights, best of 3): open %.3f s, hash %.3f s (%.0f MB/s), tokenizer load %.3f s;"
                            + " per job before: %.3f s (4 opens, 2 hashes, 3 tokenizer loads), after: %.3f s for the first job"
                            + " on a checkpoint, 0 for later jobs%n",
                    preset.cliName(), bytes / 1e9, open, hash, bytes / 1e6 / hash, tokenizer, beforeJob, afterFirst));
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "benchmark-base-model.txt"), report);
    }
}
