package dev.ragtune.retrieval.retrieve;

import java.util.Locale;

/** Which searches a retrieval runs: both fused ({@code hybrid}, the default), or one alone (for evaluation). */
public enum RetrievalMode {
    HYBRID, BM25, VECTOR;

    public static RetrievalMode parse(String s) {
        if (s == null || s.isBlank()) {
            return HYBRID;
        }
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode '" + s + "' is invalid: hybrid, bm25 or vector");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
