package dev.ragtune.rag.adapters;

import java.nio.file.Path;
import java.time.Instant;

import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.ServingModel;

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
     * @throws RuntimeException when the download, the sha256 check, the validation against the base
     *                          model or ONNX Runtime's load fails; nothing is left loaded then
     */
    public LoadedVersion load(String adapter, int version) {
        Path dir = source.download(adapter, version);
        OrtAdapter ort = model.loadAdapter(adapter + "@" + version, dir);
        return new LoadedVersion(adapter, version, ort, Instant.now());
    }
}
