package dev.ragtune.retrieval.retrieve;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ragtune.retrieval.embed.EmbeddingModelSource;
import dev.ragtune.retrieval.embed.SentenceEmbedder;
import dev.ragtune.retrieval.index.ChunkIndex;
import dev.ragtune.retrieval.index.IndexedChunk;
import dev.ragtune.retrieval.index.LanguageAnalyzers;
import dev.ragtune.retrieval.index.LanguageDetector;
import dev.ragtune.retrieval.ingest.ChunkPreparer;
import dev.ragtune.retrieval.ingest.Chunker;
import dev.ragtune.retrieval.ingest.DocumentParser;
import dev.ragtune.retrieval.ingest.PreparedChunk;

/**
 * The whole retrieval core assembled from plain classes, no Quarkus or CDI: parser, chunker, embedder, language
 * detector, Lucene index and hybrid retriever. The service's CDI producers build one from configuration; the command
 * line and the benchmarks build their own ({@link #open}). Close it to release the index and the ONNX session.
 */
public final class RetrievalCore implements AutoCloseable {

    /** Every knob of the core; {@link #defaults(Path)} matches the service's defaults. */
    public record Settings(Path indexDir, Optional<Path> modelDir, int batchSize, int maxSequenceLength, int threads,
                           int chunkTokens, int chunkOverlapTokens, List<String> languages, long maxDocumentBytes,
                           int rrfK, int candidates) {

        public static Settings defaults(Path indexDir) {
            return new Settings(indexDir, Optional.empty(), 32, 256, 0, 200, 40,
                    List.of("en", "ja", "zh", "uk", "ru", "de", "fr", "es"), 20L * 1024 * 1024, 60, 50);
        }

        public Settings withIndexDir(Path dir) {
            return new Settings(dir, modelDir, batchSize, maxSequenceLength, threads, chunkTokens, chunkOverlapTokens, languages,
                    maxDocumentBytes, rrfK, candidates);
        }
    }

    private final Settings settings;
    private final DocumentParser parser;
    private final SentenceEmbedder embedder;
    private final LanguageDetector detector;
    private final LanguageAnalyzers analyzers;
    private final ChunkIndex index;
    private final ChunkPreparer preparer;
    private final HybridRetriever retriever;

    private RetrievalCore(Settings s) {
        this.settings = s;
        this.parser = new DocumentParser(s.maxDocumentBytes());
        EmbeddingModelSource source = s.modelDir().map(EmbeddingModelSource::folder).orElseGet(EmbeddingModelSource::defaultModel);
        this.embedder = new SentenceEmbedder(source, s.batchSize(), s.maxSequenceLength(), s.threads());
        this.detector = new LanguageDetector(s.languages());
        this.analyzers = new LanguageAnalyzers(s.languages());
        this.index = new ChunkIndex(s.indexDir(), analyzers, detector, embedder.modelId(), embedder.dimension());
        this.preparer = new ChunkPreparer(new Chunker(embedder, s.chunkTokens(), s.chunkOverlapTokens()), embedder, detector);
        this.retriever = new HybridRetriever(index, embedder, s.rrfK(), s.candidates());
    }

    public static RetrievalCore open(Settings settings) {
        return new RetrievalCore(settings);
    }

    /**
     * Chunks, embeds and indexes one document's text, replacing what the index had for that id (no database: for
     * the command line and benchmarks; the service goes through its document store).
     *
     * @return the number of chunks
     */
    public int index(String documentId, String title, Map<String, String> metadata, String text) {
        List<PreparedChunk> prepared = preparer.prepare(text);
        index.replaceDocument(documentId, prepared.stream().map(p -> p.toIndexed(documentId, title, metadata)).toList());
        return prepared.size();
    }

    /** Chunks and embeds without indexing (the caller adds them in bulk with {@link ChunkIndex#replaceDocuments}). */
    public List<IndexedChunk> prepare(String documentId, String title, Map<String, String> metadata, String text) {
        return preparer.prepare(text).stream().map(p -> p.toIndexed(documentId, title, metadata)).toList();
    }

    public Settings settings() {
        return settings;
    }

    public DocumentParser parser() {
        return parser;
    }

    public SentenceEmbedder embedder() {
        return embedder;
    }

    public LanguageDetector detector() {
        return detector;
    }

    public ChunkIndex index() {
        return index;
    }

    public ChunkPreparer preparer() {
        return preparer;
    }

    public HybridRetriever retriever() {
        return retriever;
    }

    @Override
    public void close() {
        index.close();
        analyzers.close();
        embedder.close();
    }
}
