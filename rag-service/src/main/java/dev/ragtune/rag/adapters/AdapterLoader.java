package dev.ragtune.rag.adapters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.lora.OnnxAdapterWriter;

/** Downloads (verified) and loads one adapter version into ONNX Runtime over the serving model. */
public final class AdapterLoader {
    private final ServingModel model;
    private final AdapterSource source;

    public AdapterLoader(ServingModel model, AdapterSource source) {
        this.model = model;
        this.source = source;
    }

    public AdapterSource source() {
        return source;
    }

    /**
     * Downloads and loads, unbudgeted ({@link AdapterResolver#load} is the budgeted path).
     *
     * @throws RuntimeException when the download, the sha256 check, the validation against the base
     *                          model or ONNX Runtime's load fails; nothing is left loaded then
     */
    public LoadedVersion load(String adapter, int version) {
        Path dir = download(adapter, version);
        return open(adapter, version, dir, bytes(dir));
    }

    /** The verified local folder of a version (cached). */
    public Path download(String adapter, int version) {
        return source.download(adapter, version);
    }

    /**
     * What the version will take in memory: ONNX Runtime holds the {@code .onnx_adapter}'s parameters, so its size
     * (or, for a PEFT-only folder from which it is derived, the size of the PEFT weights).
     */
    public static long bytes(Path dir) {
        try {
            Path onnx = dir.resolve(OnnxAdapterWriter.FILE_NAME);
            if (Files.isRegularFile(onnx)) {
                return Files.size(onnx);
            }
            Path peft = dir.resolve("adapter_model.safetensors");
            return Files.isRegularFile(peft) ? Files.size(peft) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of the adapter in " + dir, e);
        }
    }

    /** Loads a downloaded version into ONNX Runtime (PEFT files validated against the base model). */
    public LoadedVersion open(String adapter, int version, Path dir, long bytes) {
        OrtAdapter ort = model.loadAdapter(adapter + "@" + version, dir);
        return new LoadedVersion(adapter, version, ort, Instant.now(), bytes);
    }
}
