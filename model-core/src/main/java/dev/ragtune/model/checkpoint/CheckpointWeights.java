package dev.ragtune.model.checkpoint;

import dev.ragtune.model.ModelFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.safetensors.SafetensorsFile;
import dev.ragtune.model.safetensors.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a checkpoint: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}. Tensors are memory-mapped when read.
 */
public final class CheckpointWeights implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;

    private CheckpointWeights(List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        this.files = files;
        this.byTensor = byTensor;
    }

    public static CheckpointWeights open(Path dir) {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> shards = new ArrayList<>();
        if (Files.isRegularFile(single)) {
            shards.add(single);
        } else if (Files.isRegularFile(index)) {
            try {
                JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
                if (!map.isObject()) {
                    throw new ModelFormatException(index + ": 'weight_map' is missing");
                }
                map.forEach(n -> {
                    Path p = dir.resolve(n.asText());
                    if (!shards.contains(p)) {
                        shards.add(p);
                    }
                });
            } catch (IOException e) {
                throw new ModelFormatException("malformed " + index + ": " + e.getMessage(), e);
            }
        } else {
            throw new ModelFormatException(dir + " holds no weights: expected model.safetensors or model.safetensors.index.json");
        }
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Path p : shards) {
                if (!Files.isRegularFile(p)) {
                    throw new ModelFormatException("weight shard " + p + " listed in the index is missing");
                }
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                f.tensors().keySet().forEach(name -> byTensor.put(name, f));
            }
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return new CheckpointWeights(files, byTensor);
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    public float[] floats(String name) {
        return file(name).readFloats(name);
    }

    /** Checks that {@code name} exists with exactly {@code shape}; the message names both when not. */
    public void requireShape(String name, long... shape) {
        TensorInfo t = info(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + t.shapeString() + ", the config implies "
                    + Arrays.toString(shape));
        }
    }

    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new ModelFormatException("checkpoint is missing tensor '" + name + "'");
        }
        return f;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
