package dev.ragtune.model.generate;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoraAdapter;
import dev.ragtune.model.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@code .onnx_adapter} loaded into ONNX Runtime. Any number can be loaded at once over one
 * base session; a request picks one through its {@code RunOptions}. Closing frees the native
 * memory, so the owner must close it only after the last request using it has finished.
 */
public final class OrtAdapter implements AutoCloseable {
    private final String name;
    private final OrtLoraAdapter handle;

    private OrtAdapter(String name, OrtLoraAdapter handle) {
        this.name = name;
        this.handle = handle;
    }

    public static OrtAdapter load(String name, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("adapter file " + file + " does not exist");
        }
        try {
            return new OrtAdapter(name, OrtLoraAdapter.create(file.toString()));
        } catch (OrtException e) {
            throw new ModelFormatException("ONNX Runtime cannot load adapter " + file + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    OrtLoraAdapter handle() {
        return handle;
    }

    @Override
    public void close() {
        handle.close();
    }
}
