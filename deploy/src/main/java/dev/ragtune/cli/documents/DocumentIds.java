package dev.ragtune.cli.documents;

import java.nio.file.Path;

/**
 * The id a file is ingested under: its path relative to the folder that was given ({@code guide/setup.md}, with
 * {@code /} separators), or its file name when the file itself was given — so ingesting the same folder again
 * replaces the same documents. Characters rag-service does not allow in ids (anything but letters, digits and
 * {@code . _ - : /}) become {@code _}.
 */
public final class DocumentIds {
    static final int MAX_LENGTH = 256;

    private DocumentIds() {
    }

    public static String of(Path root, Path file) {
        Path rel = root == null ? file.getFileName() : root.relativize(file);
        StringBuilder id = new StringBuilder();
        for (Path part : rel) {
            if (!id.isEmpty()) {
                id.append('/');
            }
            id.append(part);
        }
        String clean = sanitize(id.toString());
        if (clean.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the document id '" + clean.substring(0, 40) + "…' of " + file + " is longer than "
                    + MAX_LENGTH + " characters");
        }
        return clean;
    }

    static String sanitize(String id) {
        StringBuilder sb = new StringBuilder(id.length());
        id.codePoints().forEach(c -> sb.append(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == ':' || c == '/'
                ? Character.toString(c) : "_"));
        return sb.toString();
    }
}
