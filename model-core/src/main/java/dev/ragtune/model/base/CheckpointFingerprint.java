package dev.ragtune.model.base;

import dev.ragtune.model.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a checkpoint folder's files look like, cheaply: name, size, modification time and file key (the inode on
 * Unix) of every {@code *.json} (config, tokenizer, tokenizer config, generation config, shard index) and
 * {@code *.safetensors} file directly in it. Read without opening any file; two fingerprints differ when one of
 * those files was written, replaced, added or removed in between (short of a rewrite that keeps size and
 * modification time to the file system's clock resolution).
 *
 * @param dir   the folder, absolute and normalised
 * @param files its model files by name, sorted
 */
public record CheckpointFingerprint(Path dir, List<FileState> files) {

    /** One file's state. */
    public record FileState(String name, long size, FileTime modified, Object fileKey) {
    }

    public CheckpointFingerprint {
        files = List.copyOf(files);
    }

    /** The folder's fingerprint now; a folder that does not exist has no files. */
    public static CheckpointFingerprint of(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        List<FileState> files = new ArrayList<>();
        if (Files.isDirectory(abs)) {
            try (Stream<Path> s = Files.list(abs)) {
                for (Path p : s.sorted(Comparator.comparing(f -> f.getFileName().toString())).toList()) {
                    String name = p.getFileName().toString();
                    if (!name.endsWith(".json") && !name.endsWith(".safetensors")) {
                        continue;
                    }
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        files.add(new FileState(name, a.size(), a.lastModifiedTime(), a.fileKey()));
                    }
                }
            } catch (IOException e) {
                throw new ModelFormatException("cannot list checkpoint folder " + abs + ": " + e.getMessage(), e);
            }
        }
        return new CheckpointFingerprint(abs, files);
    }
}
