package dev.ragtune.model.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.CheckpointCounters;
import dev.ragtune.model.checkpoint.LinearModule;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Exports a checkpoint to an ONNX decoder folder: {@code model.onnx} (graph), {@code model.onnx.data}
 * (weights as external data), {@code genai_config.json}, the tokenizer files, and
 * {@code export.json} recording what was exported from which checkpoint. Every LoRA target module
 * gets its A/B graph inputs, so any adapter of rank r over those modules can be applied at run time.
 */
public final class OnnxExporter {
    public static final String MODEL_FILE = "model.onnx";
    public static final String DATA_FILE = "model.onnx.data";
    public static final String MANIFEST_FILE = "export.json";
    /** Bumped whenever the graph changes, so that cached exports are redone. */
    public static final int GRAPH_VERSION = 3;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OnnxExporter() {
    }

    /** Exports into {@code outDir} (created; existing export files are replaced). */
    public static Path export(Checkpoint checkpoint, Path outDir, Precision precision, String contentHash) throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(outDir);
        Set<LinearModule> targets = EnumSet.copyOf(checkpoint.config().projections());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("ragtune.checkpoint.sha256", contentHash);
        metadata.put("ragtune.precision", precision.suffix());
        metadata.put("ragtune.graph_version", Integer.toString(GRAPH_VERSION));

        ModelProto model;
        try (ExternalData data = new ExternalData(outDir.resolve(DATA_FILE))) {
            GraphBuilder g = new GraphBuilder(data, precision == Precision.FP16);
            model = DecoderGraph.build(g, checkpoint, targets, metadata);
        }
        try (OutputStream out = Files.newOutputStream(outDir.resolve(MODEL_FILE))) {
            model.writeTo(out);
        }
        int context = Math.min(checkpoint.config().maxPositionEmbeddings(), DecoderGraph.MAX_ROTARY_POSITIONS);
        JSON.writeValue(outDir.resolve("genai_config.json").toFile(), GenAiConfig.of(checkpoint.config(), JSON, context));
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "config.json", "generation_config.json"}) {
            Path src = checkpoint.dir().resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("checkpoint", checkpoint.dir().toAbsolutePath().toString());
        manifest.put("checkpointSha256", contentHash);
        manifest.put("precision", precision.suffix());
        manifest.put("graphVersion", GRAPH_VERSION);
        manifest.put("opset", GraphBuilder.OPSET);
        manifest.put("contextLength", context);
        var t = manifest.putArray("loraTargets");
        targets.forEach(m -> t.add(m.shortName()));
        JSON.writeValue(outDir.resolve(MANIFEST_FILE).toFile(), manifest);
        CheckpointCounters.record(CheckpointCounters.Operation.ONNX_EXPORT, start);
        return outDir.resolve(MODEL_FILE);
    }

    /**
     * The cached export of {@code checkpoint} under {@code cacheRoot}, made on first use. The cache
     * key is the checkpoint's content hash, the precision and the graph version; a folder is
     * published by an atomic rename, so a crashed export never looks complete.
     */
    public static Path exportCached(Checkpoint checkpoint, Path cacheRoot, Precision precision) throws IOException {
        return exportCached(checkpoint, cacheRoot, precision, checkpoint.contentHash());
    }

    /** As {@link #exportCached(Checkpoint, Path, Precision)} with the content hash already computed. */
    public static Path exportCached(Checkpoint checkpoint, Path cacheRoot, Precision precision, String hash) throws IOException {
        Path target = cacheRoot.resolve(hash.substring(0, 16) + "-" + precision.suffix() + "-g" + GRAPH_VERSION);
        if (Files.isRegularFile(target.resolve(MANIFEST_FILE))) {
            return target;
        }
        Files.createDirectories(cacheRoot);
        Path tmp = Files.createTempDirectory(cacheRoot, ".export-");
        try {
            export(checkpoint, tmp, precision, hash);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(target.resolve(MANIFEST_FILE))) {
                    throw raced;
                }
            }
        } finally {
            deleteRecursively(tmp);
        }
        return target;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
