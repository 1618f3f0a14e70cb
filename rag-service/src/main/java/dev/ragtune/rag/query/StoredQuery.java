package dev.ragtune.rag.query;

import java.time.Instant;
import java.util.UUID;

/** An answer as remembered for feedback. */
public record StoredQuery(UUID id, String endpoint, String question, String systemPrompt, String answer, String adapter,
                          Integer adapterVersion, String adapterAlias, String sourcesJson, int promptTokens,
                          int completionTokens, String finishReason, Instant createdAt) {
}
