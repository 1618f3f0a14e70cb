package dev.ragtune.rag.query;

import java.util.Map;

/** Body of {@code POST /v1/query}. */
public record QueryRequest(String question, Integer topK, Map<String, String> filters, String adapter, Integer maxTokens,
                           Double temperature) {
}
