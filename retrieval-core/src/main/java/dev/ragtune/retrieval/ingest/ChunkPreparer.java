package dev.ragtune.retrieval.ingest;

import java.util.ArrayList;
import java.util.List;

import dev.ragtune.retrieval.embed.SentenceEmbedder;
import dev.ragtune.retrieval.index.LanguageDetector;

/**
 * Text → chunks, each with its language and embedding. The embedded text is the chunk's heading path and its text
 * ({@link #embeddingText}); queries are embedded as they are. Thread-safe.
 */
public final class ChunkPreparer {

    private final Chunker chunker;
    private final SentenceEmbedder embedder;
    private final LanguageDetector detector;

    public ChunkPreparer(Chunker chunker, SentenceEmbedder embedder, LanguageDetector detector) {
        this.chunker = chunker;
        this.embedder = embedder;
        this.detector = detector;
    }

    public List<PreparedChunk> prepare(String text) {
        List<Chunk> chunks = chunker.chunk(text);
        List<String> inputs = chunks.stream().map(ChunkPreparer::embeddingText).toList();
        List<float[]> vectors = embedder.embed(inputs);
        List<PreparedChunk> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            out.add(new PreparedChunk(chunks.get(i), detector.detect(chunks.get(i).text()), vectors.get(i)));
        }
        return out;
    }

    /** What the model embeds for a chunk: its heading path on the first line (when it has one), then its text. */
    public static String embeddingText(Chunk c) {
        return c.headingPath().isEmpty() ? c.text() : c.headingLine() + "\n" + c.text();
    }

    public Chunker chunker() {
        return chunker;
    }
}
