package dev.ragtune.cli.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import dev.ragtune.cli.client.RagClient;
import dev.ragtune.cli.documents.DocumentFiles;

/**
 * The project's own {@code docs/}, ingested into rag-service on the platform's first start so that a fresh platform
 * answers questions about ragtune itself — exactly what {@code ragtune ingest docs} does (same files, same ids: the
 * path relative to {@code docs/}). A marker file under the data directory records that it was done; a failed upload
 * leaves no marker, so the next {@code up} tries again (documents already there are no-ops).
 */
public final class StarterCorpus {
    private final Path docs;
    private final Path marker;

    public StarterCorpus(Path docs, Path marker) {
        this.docs = docs;
        this.marker = marker;
    }

    public boolean pending() {
        return docs != null && Files.isDirectory(docs) && !Files.exists(marker);
    }

    /** Uploads every document file under the folder; returns how many. */
    public int ingest(URI ragUrl, String ingestKey, Consumer<String> progress) {
        List<DocumentFiles.Item> items = DocumentFiles.collect(List.of(docs));
        progress.accept("ingesting the starter corpus: " + items.size() + " documents from " + docs);
        try (RagClient rag = RagClient.connect(ragUrl, ingestKey)) {
            for (DocumentFiles.Item item : items) {
                rag.ingest(item.file(), item.id());
            }
        }
        try {
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, items.size() + " documents from " + docs + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + marker + ": " + e.getMessage(), e);
        }
        return items.size();
    }
}
