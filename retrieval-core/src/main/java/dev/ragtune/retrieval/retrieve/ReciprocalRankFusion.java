package dev.ragtune.retrieval.retrieve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack, Clarke, Büttcher 2009): an item's score is Σ over the rankings it appears in of
 * {@code 1 / (k + rank)}, rank from 1. Ties keep the order of first appearance.
 */
public final class ReciprocalRankFusion {

    private ReciprocalRankFusion() {
    }

    /** A fused item and its score. */
    public record Fused(String id, double score) {
    }

    public static List<Fused> fuse(List<List<String>> rankings, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("RRF k must be at least 1, got " + k);
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        for (List<String> ranking : rankings) {
            for (int i = 0; i < ranking.size(); i++) {
                scores.merge(ranking.get(i), 1.0 / (k + i + 1), Double::sum);
            }
        }
        List<Fused> out = new ArrayList<>(scores.size());
        scores.forEach((id, s) -> out.add(new Fused(id, s)));
        out.sort(Comparator.comparingDouble(Fused::score).reversed());
        return out;
    }
}
