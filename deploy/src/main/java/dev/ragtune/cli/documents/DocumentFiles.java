package dev.ragtune.cli.documents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files to ingest from the given paths: a file as it is; a folder's files of the types rag-service parses
 * (text, Markdown, HTML, PDF, Word), recursively, skipping hidden files and folders, in path order.
 */
public final class DocumentFiles {
    static final Set<String> EXTENSIONS = Set.of("txt", "text", "md", "markdown", "html", "htm", "xhtml", "pdf", "docx", "doc");

    /** A file and the id it is ingested under. */
    public record Item(Path file, String id) {
    }

    private DocumentFiles() {
    }

    public static List<Item> collect(List<Path> paths) {
        List<Item> out = new ArrayList<>();
        for (Path p : paths) {
            Path path = p.toAbsolutePath().normalize();
            if (Files.isRegularFile(path)) {
                out.add(new Item(path, DocumentIds.of(null, path)));
            } else if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(Files::isRegularFile)
                            .filter(f -> !hidden(path, f) && EXTENSIONS.contains(extension(f)))
                            .sorted()
                            .forEach(f -> out.add(new Item(f, DocumentIds.of(path, f))));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
                }
            } else {
                throw new IllegalArgumentException("no such file or folder: " + p);
            }
        }
        return out;
    }

    static boolean hidden(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    static String extension(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
