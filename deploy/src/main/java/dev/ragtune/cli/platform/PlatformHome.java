package dev.ragtune.cli.platform;

import java.nio.file.Path;

/**
 * The folder that holds the local platform's state ({@code ./.ragtune} or {@code $RAGTUNE_HOME}); everything under
 * it survives {@code ragtune down} and is reused by the next {@code up}.
 */
public record PlatformHome(Path root) {

    public PlatformHome {
        root = root.toAbsolutePath().normalize();
    }

    public Path postgres() {
        return root.resolve("postgres");
    }

    public Path kafka() {
        return root.resolve("kafka");
    }

    public Path registryBlobs() {
        return root.resolve("registry").resolve("blobs");
    }

    public Path workerDir() {
        return root.resolve("worker");
    }

    public Path ragIndex() {
        return root.resolve("rag").resolve("index");
    }

    /** The demo checkpoint made on first start (when no {@code --checkpoint} is given). */
    public Path demoCheckpoint() {
        return root.resolve("models").resolve("demo");
    }

    public Path onnxCache() {
        return root.resolve("models").resolve("onnx");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path log(String component) {
        return logs().resolve(component + ".log");
    }

    public Path apiKeys() {
        return root.resolve("api-keys.json");
    }

    /** Written by a running {@code up}: its pid, the endpoints and the components; removed when it stops. */
    public Path state() {
        return root.resolve("platform.json");
    }
}
