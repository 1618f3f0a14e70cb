package dev.ragtune.rag.answer;

import java.util.List;
import java.util.Map;

/** The retrieval an answer is built on: the best chunks for a question, best first, numbered from 1. */
public interface ChunkRetrieval {
    List<SourceChunk> retrieve(String question, int topK, Map<String, String> filters);
}
