package dev.ragtune.retrieval.retrieve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ragtune.retrieval.embed.SentenceEmbedder;
import dev.ragtune.retrieval.index.ChunkHit;
import dev.ragtune.retrieval.index.ChunkIndex;
import dev.ragtune.retrieval.index.IndexedChunk;

/**
 * BM25 and vector kNN over the {@link ChunkIndex}, fused by reciprocal rank ({@link ReciprocalRankFusion}). Both
 * searches take {@code max(candidates, topK)} chunks with the same metadata filters (exact match on every given key)
 * from one point-in-time view of the index. Thread-safe; no Quarkus needed.
 */
public final class HybridRetriever {

    private final ChunkIndex index;
    private final SentenceEmbedder embedder;
    private final int rrfK;
    private final int candidates;

    public HybridRetriever(ChunkIndex index, SentenceEmbedder embedder, int rrfK, int candidates) {
        if (rrfK < 1 || candidates < 1) {
            throw new IllegalArgumentException("rrfK and candidates must be at least 1");
        }
        this.index = index;
        this.embedder = embedder;
        this.rrfK = rrfK;
        this.candidates = candidates;
    }

    /** Hybrid retrieval: the {@code topK} best chunks for the query, best first. */
    public List<RetrievedChunk> retrieve(String query, int topK, Map<String, String> filters) {
        return retrieve(query, topK, filters, RetrievalMode.HYBRID);
    }

    public List<RetrievedChunk> retrieve(String query, int topK, Map<String, String> filters, RetrievalMode mode) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, got " + topK);
        }
        int n = Math.max(candidates, topK);
        float[] vector = mode == RetrievalMode.BM25 ? null : embedder.embed(query);
        ChunkIndex.Candidates found = index.search(mode == RetrievalMode.VECTOR ? null : query, vector, filters, n);
        return switch (mode) {
            case BM25 -> top(found.text(), topK);
            case VECTOR -> top(found.vector(), topK);
            case HYBRID -> fuse(found, topK);
        };
    }

    private List<RetrievedChunk> fuse(ChunkIndex.Candidates found, int topK) {
        Map<String, IndexedChunk> byId = new HashMap<>();
        List<String> text = new ArrayList<>();
        List<String> vector = new ArrayList<>();
        for (ChunkHit h : found.text()) {
            byId.putIfAbsent(h.chunk().chunkId(), h.chunk());
            text.add(h.chunk().chunkId());
        }
        for (ChunkHit h : found.vector()) {
            byId.putIfAbsent(h.chunk().chunkId(), h.chunk());
            vector.add(h.chunk().chunkId());
        }
        List<RetrievedChunk> out = new ArrayList<>(topK);
        for (ReciprocalRankFusion.Fused f : ReciprocalRankFusion.fuse(List.of(text, vector), rrfK)) {
            if (out.size() == topK) {
                break;
            }
            out.add(view(byId.get(f.id()), f.score()));
        }
        return out;
    }

    private static List<RetrievedChunk> top(List<ChunkHit> hits, int topK) {
        return hits.stream().limit(topK).map(h -> view(h.chunk(), h.score())).toList();
    }

    private static RetrievedChunk view(IndexedChunk c, double score) {
        return new RetrievedChunk(c.documentId(), c.title(), c.chunkId(), c.text(), score, c.metadata(), c.headingPath(),
                c.ordinal(), c.start(), c.end(), c.language());
    }
}
