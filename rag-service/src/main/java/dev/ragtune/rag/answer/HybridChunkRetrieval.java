package dev.ragtune.rag.answer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ragtune.retrieval.retrieve.HybridRetriever;
import dev.ragtune.retrieval.retrieve.RetrievedChunk;

/** Answers are built on the service's hybrid (BM25 + vector, RRF) retrieval. */
@ApplicationScoped
public class HybridChunkRetrieval implements ChunkRetrieval {

    @Inject
    HybridRetriever retriever;

    @Override
    public List<SourceChunk> retrieve(String question, int topK, Map<String, String> filters) {
        List<RetrievedChunk> hits = retriever.retrieve(question, topK, filters);
        List<SourceChunk> out = new ArrayList<>(hits.size());
        for (RetrievedChunk c : hits) {
            out.add(new SourceChunk(out.size() + 1, c.documentId(), c.title(), c.text(), c.score()));
        }
        return out;
    }
}
