package dev.ragtune.cli.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * {@code .ragtune/platform.json}, written by a running {@code ragtune up} once everything is healthy and removed
 * when it stops: {@code down} and {@code status} find the platform through it.
 *
 * @param supervisorPid the {@code ragtune up} process that owns every component
 */
public record PlatformState(long supervisorPid, String startedAt, String home, String baseModel, String checkpoint,
                            Map<String, Component> components) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** @param health an HTTP readiness URL, or {@code tcp} for a plain port check */
    public record Component(String endpoint, long pid, String log, String health) {
    }

    public void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static Optional<PlatformState> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), PlatformState.class));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a platform state file: " + e.getMessage(), e);
        }
    }

    /** Whether the {@code up} process that wrote this is still alive. */
    public boolean supervisorAlive() {
        return ProcessHandle.of(supervisorPid).map(ProcessHandle::isAlive).orElse(false);
    }
}
