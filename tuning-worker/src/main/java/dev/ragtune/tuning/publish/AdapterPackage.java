package dev.ragtune.tuning.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A job's packaged adapter in {@code <work-dir>/jobs/<id>/package/}: the PEFT files, the
 * {@code .onnx_adapter}, {@code metrics.json} (training and evaluation figures) and
 * {@code manifest.json} (what is sent to the registry). The manifest is written last, by an atomic
 * rename, so a package folder with a manifest is complete: a job retried after a crash publishes it
 * without training again.
 */
public record AdapterPackage(Path dir, ObjectNode manifest) {
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String METRICS_FILE = "metrics.json";
    /** Uploaded to the registry, in this order. */
    public static final List<String> FILES = List.of(PeftAdapterIO.CONFIG_FILE, PeftAdapterIO.WEIGHTS_FILE,
            OnnxAdapterWriter.FILE_NAME, METRICS_FILE);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public List<Path> files() {
        return FILES.stream().map(dir::resolve).toList();
    }

    /** Copies the trained adapter's files, writes metrics and then the manifest. Replaces an incomplete package. */
    public static AdapterPackage write(Path dir, Path adapterDir, ObjectNode metrics, ObjectNode manifest) {
        try {
            deleteRecursively(dir);
            Files.createDirectories(dir);
            for (String f : List.of(PeftAdapterIO.CONFIG_FILE, PeftAdapterIO.WEIGHTS_FILE, OnnxAdapterWriter.FILE_NAME)) {
                Path src = adapterDir.resolve(f);
                if (!Files.isRegularFile(src)) {
                    throw new IllegalStateException("the trained adapter in " + adapterDir + " has no " + f);
                }
                Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            JSON.writeValue(dir.resolve(METRICS_FILE).toFile(), metrics);
            Path tmp = dir.resolve(MANIFEST_FILE + ".tmp");
            JSON.writeValue(tmp.toFile(), manifest);
            Files.move(tmp, dir.resolve(MANIFEST_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new AdapterPackage(dir, manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the adapter package " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The complete package left in {@code dir} by an earlier attempt, if any. */
    public static Optional<AdapterPackage> existing(Path dir) {
        Path m = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(m) || !FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AdapterPackage(dir, (ObjectNode) JSON.readTree(m.toFile())));
        } catch (IOException | ClassCastException e) {
            return Optional.empty();
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
