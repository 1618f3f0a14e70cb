package dev.ragtune.cli.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The project's own {@code docs/} (Markdown), ingested into rag-service on the platform's first start so that a
 * fresh platform answers questions about ragtune itself. A document's id is its path relative to {@code docs/}, as
 * {@code ragtune ingest docs} would give it. A marker file under the data directory records that it was done; a
 * failed upload leaves no marker, so the next {@code up} tries again (unchanged documents are no-ops there).
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

    /** Uploads every Markdown file under the folder; returns how many. */
    public int ingest(URI ragUrl, String ingestKey, Consumer<String> progress) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(docs)) {
            files = s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".md")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        progress.accept("ingesting the starter corpus: " + files.size() + " documents from " + docs);
        try (CloseableHttpClient http = HttpClients.createDefault()) {
            for (Path f : files) {
                String id = docs.relativize(f).toString().replace('\\', '/');
                HttpPost post = new HttpPost(ragUrl.resolve("/v1/documents"));
                post.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + ingestKey);
                post.setEntity(MultipartEntityBuilder.create()
                        .addBinaryBody("file", f.toFile(), ContentType.create("text/markdown", StandardCharsets.UTF_8), f.getFileName().toString())
                        .addTextBody("id", id, ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8))
                        .build());
                http.execute(post, response -> {
                    String body = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                    if (response.getCode() >= 300) {
                        throw new IllegalStateException("rag-service refused starter document " + id + ": HTTP " + response.getCode() + " " + body);
                    }
                    return body;
                });
            }
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, files.size() + " documents from " + docs + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not ingest the starter corpus: " + e.getMessage(), e);
        }
        return files.size();
    }
}
