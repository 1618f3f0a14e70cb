package dev.ragtune.rag.query;

import java.util.List;

import dev.ragtune.rag.answer.SourceChunk;

/** Body of a {@code POST /v1/query} answer. */
public record QueryResponse(String id, String answer, List<SourceChunk> sources, AdapterUsed adapter, Timings timings, Usage usage,
                            String finishReason) {

    /** The adapter version that answered; null in the response when the base model did. */
    public record AdapterUsed(String name, int version, String alias) {
    }

    public record Timings(double retrievalMs, double generationMs) {
    }

    public record Usage(int promptTokens, int completionTokens) {
    }
}
