package dev.ragtune.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The rag-service's API (see docs/rag-service.md): questions, documents, the adapters it serves. */
public final class RagClient implements AutoCloseable {
    private final JsonHttp http;

    RagClient(JsonHttp http) {
        this.http = http;
    }

    /** A client of the rag-service at {@code url} with {@code apiKey} (the commands get theirs from {@link PlatformEndpoints}). */
    public static RagClient connect(java.net.URI url, String apiKey) {
        return new RagClient(new JsonHttp(Service.RAG, url, apiKey));
    }

    /**
     * {@code POST /v1/query}.
     *
     * @param adapter a reference ({@code base}, {@code support-bot}, {@code support-bot:staging}, {@code support-bot@3}) or null
     * @param topK    chunks to retrieve (0: none), or null for the service's default
     */
    public QueryAnswer ask(String question, String adapter, Integer topK, Integer maxTokens, Double temperature) {
        ObjectNode body = JsonHttp.JSON.createObjectNode().put("question", question);
        if (adapter != null) {
            body.put("adapter", adapter);
        }
        if (topK != null) {
            body.put("topK", topK);
        }
        if (maxTokens != null) {
            body.put("maxTokens", maxTokens);
        }
        if (temperature != null) {
            body.put("temperature", temperature);
        }
        return http.postJson(QueryAnswer.class, body, "v1", "query");
    }

    /** {@code POST /v1/documents} multipart: the file under {@code id} (created, replaced, or unchanged). */
    public IngestResult ingest(Path file, String id) {
        var form = MultipartEntityBuilder.create()
                .addBinaryBody("file", file.toFile(), ContentType.APPLICATION_OCTET_STREAM, file.getFileName().toString())
                .addTextBody("id", id, ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8));
        return http.post(IngestResult.class, form.build(), "v1", "documents");
    }

    /** How many documents the service holds. */
    public long documentCount() {
        return http.get(JsonNode.class, Map.of("page", 0, "size", 1), "v1", "documents").path("total").asLong();
    }

    /**
     * {@code GET /v1/adapters/active}: the version each alias of {@code adapter} points at in this replica; empty when
     * the service does not serve that adapter.
     */
    public Optional<Map<String, Integer>> servedAliases(String adapter) {
        JsonNode active = http.get(JsonNode.class, Map.of(), "v1", "adapters", "active");
        for (JsonNode a : active.path("adapters")) {
            if (adapter.equals(a.path("name").asText())) {
                return Optional.of(JsonHttp.JSON.convertValue(a.path("aliases"),
                        JsonHttp.JSON.getTypeFactory().constructMapType(Map.class, String.class, Integer.class)));
            }
        }
        return Optional.empty();
    }

    public String url() {
        return http.base().toString();
    }

    @Override
    public void close() {
        http.close();
    }
}
