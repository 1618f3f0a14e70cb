package dev.ragtune.model.checkpoint;

import dev.ragtune.model.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Hugging Face checkpoint folder: {@code config.json}, safetensors weights, {@code tokenizer.json}
 * and {@code tokenizer_config.json}. Opening validates every tensor the config implies (name and
 * shape) so that a broken folder fails here with a clear message rather than deep inside an engine.
 */
public final class Checkpoint implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final CheckpointWeights weights;

    private Checkpoint(Path dir, ModelConfig config, CheckpointWeights weights) {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
    }

    public static Checkpoint open(Path dir) {
        long start = System.nanoTime();
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException("checkpoint folder " + dir + " does not exist");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        for (String required : List.of("tokenizer.json", "tokenizer_config.json")) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new ModelFormatException("checkpoint " + dir + " has no " + required);
            }
        }
        CheckpointWeights weights = CheckpointWeights.open(dir);
        try {
            validate(config, weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        CheckpointCounters.record(CheckpointCounters.Operation.OPEN, start);
        return new Checkpoint(dir, config, weights);
    }

    private static void validate(ModelConfig c, CheckpointWeights w) {
        c.tensorShapes().forEach(w::requireShape);
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public CheckpointWeights weights() {
        return weights;
    }

    /** The output projection: {@code lm_head.weight}, or the embedding when tied. */
    public float[] lmHead() {
        return weights.floats(config.tieWordEmbeddings() ? WeightNames.EMBED : WeightNames.LM_HEAD);
    }

    /**
     * SHA-256 over the files that define the model's numbers (config and weights), in a fixed
     * order. Exports are cached under this hash.
     */
    public String contentHash() {
        long start = System.nanoTime();
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve("config.json"));
        files.addAll(weights.files());
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(f)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                    }
                }
            }
            String hash = HexFormat.of().formatHex(md.digest());
            CheckpointCounters.record(CheckpointCounters.Operation.HASH, start);
            return hash;
        } catch (IOException e) {
            throw new ModelFormatException("cannot hash checkpoint " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}
