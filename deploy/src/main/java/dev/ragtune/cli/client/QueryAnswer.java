package dev.ragtune.cli.client;

import java.util.List;

/** rag-service {@code POST /v1/query}: the answer, its numbered sources and the adapter version that answered (null: base). */
public record QueryAnswer(String id, String answer, List<Source> sources, AdapterUsed adapter, String finishReason) {

    public QueryAnswer {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public record Source(int n, String documentId, String title, String text, double score) {
    }

    public record AdapterUsed(String name, int version, String alias) {
    }

    /** {@code support-bot v3 (production)}, or {@code the base model}. */
    public String answeredBy() {
        if (adapter == null) {
            return "the base model";
        }
        return adapter.name() + " v" + adapter.version() + (adapter.alias() != null ? " (" + adapter.alias() + ")" : "");
    }
}
