package dev.ragtune.retrieval.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The embedded Lucene index of chunks: one Lucene document per chunk with its text analysed in its language's field
 * ({@code t.<lang>}, BM25), its embedding as an HNSW vector ({@code vec}, dot product of unit vectors = cosine), its
 * metadata as exact-match fields ({@code m.<key>}) and everything needed to show it stored. All chunks of a document
 * are replaced in one {@link IndexWriter#updateDocuments} call and committed, so a search sees the old or the new
 * chunks of a document, never a mix. Thread-safe; writes are serialised.
 */
public final class ChunkIndex implements AutoCloseable {

    static final String DOC_ID = "doc_id";
    static final String CHUNK_ID = "chunk_id";
    static final String VECTOR = "vec";
    static final String META_PREFIX = "m.";
    private static final String COMMIT_MODEL = "embedding_model";
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final LanguageAnalyzers analyzers;
    private final LanguageDetector detector;
    private final int dimension;
    private final String modelId;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Object writeLock = new Object();

    /**
     * Opens (or creates) the index in {@code dir}.
     *
     * @param modelId   the embedding model's id, recorded in each commit ({@link #indexedModelId()})
     * @param dimension the embedding size
     */
    public ChunkIndex(Path dir, LanguageAnalyzers analyzers, LanguageDetector detector, String modelId, int dimension) {
        this.dir = dir;
        this.analyzers = analyzers;
        this.detector = detector;
        this.modelId = modelId;
        this.dimension = dimension;
        try {
            Files.createDirectories(dir);
            directory = FSDirectory.open(dir);
            IndexWriterConfig cfg = new IndexWriterConfig(analyzers.perField());
            cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
            cfg.setRAMBufferSizeMB(64);
            writer = new IndexWriter(directory, cfg);
            searchers = new SearcherManager(writer, true, false, new SearcherFactory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Lucene index in " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public int dimension() {
        return dimension;
    }

    /** The embedding model the last commit was written with (null for a new index). */
    public String indexedModelId() {
        try {
            if (!DirectoryReader.indexExists(directory)) {
                return null;
            }
            return DirectoryReader.listCommits(directory).getLast().getUserData().get(COMMIT_MODEL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces all chunks of one document (none = delete it) and commits. */
    public void replaceDocument(String documentId, List<IndexedChunk> chunks) {
        replaceDocuments(Map.of(documentId, chunks));
    }

    /** Replaces the chunks of several documents and commits once. */
    public void replaceDocuments(Map<String, List<IndexedChunk>> documents) {
        synchronized (writeLock) {
            try {
                for (Map.Entry<String, List<IndexedChunk>> e : documents.entrySet()) {
                    List<Document> docs = new ArrayList<>(e.getValue().size());
                    for (IndexedChunk c : e.getValue()) {
                        if (!c.documentId().equals(e.getKey())) {
                            throw new IllegalArgumentException("chunk " + c.chunkId() + " is not of document " + e.getKey());
                        }
                        docs.add(toLucene(c));
                    }
                    writer.updateDocuments(new Term(DOC_ID, e.getKey()), docs);
                }
                commit();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot update the Lucene index in " + dir, e);
            }
        }
    }

    public void deleteDocument(String documentId) {
        replaceDocument(documentId, List.of());
    }

    /**
     * Rebuilds the whole index from a source of documents' chunks: the old content stays visible to searches until
     * the new one is committed.
     */
    public void rebuild(Iterable<List<IndexedChunk>> documents) {
        synchronized (writeLock) {
            try {
                writer.deleteAll();
                for (List<IndexedChunk> chunks : documents) {
                    for (IndexedChunk c : chunks) {
                        writer.addDocument(toLucene(c));
                    }
                }
                commit();
            } catch (IOException | RuntimeException e) {
                try {
                    writer.rollback();
                } catch (IOException ignored) {
                    // the writer is closed now either way
                }
                throw new IllegalStateException("rebuilding the Lucene index in " + dir + " failed; reopen the service", e);
            }
        }
    }

    private void commit() throws IOException {
        writer.setLiveCommitData(Map.of(COMMIT_MODEL, modelId).entrySet());
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    private Document toLucene(IndexedChunk c) {
        if (c.vector() == null || c.vector().length != dimension) {
            throw new IllegalArgumentException("chunk " + c.chunkId() + " has a vector of " + (c.vector() == null ? 0 : c.vector().length)
                    + " dimensions; the index has " + dimension);
        }
        Document d = new Document();
        d.add(new StringField(DOC_ID, c.documentId(), Field.Store.YES));
        d.add(new StringField(CHUNK_ID, c.chunkId(), Field.Store.YES));
        d.add(new StoredField("ordinal", c.ordinal()));
        d.add(new StoredField("start", c.start()));
        d.add(new StoredField("end", c.end()));
        d.add(new StoredField("text", c.text()));
        d.add(new StoredField("heading", c.headingPath() == null ? "" : c.headingPath()));
        if (c.title() != null) {
            d.add(new StoredField("title", c.title()));
        }
        String lang = analyzers.indexLanguage(c.language());
        d.add(new StringField("lang", c.language(), Field.Store.YES));
        String field = LanguageAnalyzers.field(lang);
        d.add(new TextField(field, c.text(), Field.Store.NO));
        if (c.headingPath() != null && !c.headingPath().isBlank()) {
            d.add(new TextField(field, c.headingPath(), Field.Store.NO));
        }
        if (c.title() != null && !c.title().isBlank()) {
            d.add(new TextField(field, c.title(), Field.Store.NO));
        }
        Map<String, String> meta = c.metadata() == null ? Map.of() : c.metadata();
        meta.forEach((k, v) -> d.add(new StringField(META_PREFIX + k, v, Field.Store.NO)));
        try {
            d.add(new StoredField("meta", JSON.writeValueAsString(meta)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        d.add(new KnnFloatVectorField(VECTOR, c.vector(), VectorSimilarityFunction.DOT_PRODUCT));
        return d;
    }

    /** Number of chunks in the index (as of the last commit). */
    public int chunkCount() {
        return withSearcher(s -> s.getIndexReader().numDocs());
    }

    /** BM25 search over every language field, each weighted by how likely the query is in that language. */
    public List<ChunkHit> searchText(String query, Map<String, String> filters, int n) {
        return withSearcher(s -> searchText(s, query, filters, n));
    }

    /** Nearest chunks to a unit vector (HNSW, exact-match filters applied during the graph search). */
    public List<ChunkHit> searchVector(float[] vector, Map<String, String> filters, int n) {
        return withSearcher(s -> searchVector(s, vector, filters, n));
    }

    /** Both searches on the same point-in-time view of the index. */
    public Candidates search(String query, float[] vector, Map<String, String> filters, int n) {
        return withSearcher(s -> new Candidates(
                query == null ? List.of() : searchText(s, query, filters, n),
                vector == null ? List.of() : searchVector(s, vector, filters, n)));
    }

    /** What each search found, best first. */
    public record Candidates(List<ChunkHit> text, List<ChunkHit> vector) {
    }

    private List<ChunkHit> searchText(IndexSearcher s, String query, Map<String, String> filters, int n) throws IOException {
        Query text = textQuery(query);
        if (text == null) {
            return List.of();
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(text, Occur.MUST);
        Query filter = filterQuery(filters);
        if (filter != null) {
            b.add(filter, Occur.FILTER);
        }
        return hits(s, s.search(b.build(), n).scoreDocs);
    }

    private List<ChunkHit> searchVector(IndexSearcher s, float[] vector, Map<String, String> filters, int n) throws IOException {
        if (vector.length != dimension) {
            throw new IllegalArgumentException("query vector has " + vector.length + " dimensions; the index has " + dimension);
        }
        Query q = new KnnFloatVectorQuery(VECTOR, vector, n, filterQuery(filters));
        return hits(s, s.search(q, n).scoreDocs);
    }

    /**
     * The query analysed once per language field; a field's weight is 0.1 plus the detector's confidence that the query
     * is in that language (all 1 when it recognises nothing), so words shared across languages still match but the
     * query's own language leads.
     *
     * <p>Lucene refuses a query of more than {@link IndexSearcher#getMaxClauseCount()} term clauses in all (1,024), and
     * every language field adds one clause per word: a long question is therefore kept within a per-field budget
     * ({@link #termBudget()}): when a field's words exceed it, each distinct term becomes one clause boosted by how often
     * it occurs (the same score as repeated clauses), and the most frequent terms are kept. Questions within the budget
     * are queried exactly as before.
     */
    Query textQuery(String query) {
        Map<String, Double> confidence = detector.confidences(query);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        int clauses = 0;
        int budget = termBudget();
        for (String lang : analyzers.languages()) {
            Query q = fieldQuery(lang, query, budget);
            if (q == null) {
                continue;
            }
            float weight = confidence.isEmpty() ? 1f : (float) (0.1 + confidence.getOrDefault(lang, 0.0));
            if (lang.equals(LanguageDetector.UNKNOWN)) {
                weight = 0.5f;
            }
            b.add(new BoostQuery(q, weight), Occur.SHOULD);
            clauses++;
        }
        return clauses == 0 ? null : b.build();
    }

    /** Clauses one language field may use: the clause limit less room for metadata filters, shared by the fields. */
    int termBudget() {
        int languages = Math.max(1, analyzers.languages().size());
        return Math.max(1, (IndexSearcher.getMaxClauseCount() - MAX_FILTER_CLAUSES) / languages);
    }

    /** Room kept for the filter clauses (metadata filters have at most 64 keys) and the match-all of a filter. */
    static final int MAX_FILTER_CLAUSES = 96;

    private Query fieldQuery(String lang, String query, int budget) {
        String field = LanguageAnalyzers.field(lang);
        Analyzer analyzer = analyzers.analyzer(lang);
        Map<String, Integer> terms = new java.util.LinkedHashMap<>();
        int tokens = 0;
        try (TokenStream ts = analyzer.tokenStream(field, query)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                terms.merge(term.toString(), 1, Integer::sum);
                tokens++;
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tokens <= budget) {
            return new QueryBuilder(analyzer).createBooleanQuery(field, query);
        }
        List<Map.Entry<String, Integer>> kept = new ArrayList<>(terms.entrySet());
        kept.sort((x, y) -> Integer.compare(y.getValue(), x.getValue())); // stable: ties keep the question's order
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Map.Entry<String, Integer> e : kept.subList(0, Math.min(budget, kept.size()))) {
            Query t = new TermQuery(new Term(field, e.getKey()));
            b.add(e.getValue() == 1 ? t : new BoostQuery(t, e.getValue()), Occur.SHOULD);
        }
        return b.build();
    }

    private static Query filterQuery(Map<String, String> filters) {
        if (filters == null || filters.isEmpty()) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        filters.forEach((k, v) -> b.add(new TermQuery(new Term(META_PREFIX + k, v)), Occur.FILTER));
        b.add(new MatchAllDocsQuery(), Occur.MUST);
        return b.build();
    }

    private static List<ChunkHit> hits(IndexSearcher s, ScoreDoc[] docs) throws IOException {
        StoredFields stored = s.storedFields();
        List<ChunkHit> out = new ArrayList<>(docs.length);
        for (ScoreDoc sd : docs) {
            out.add(new ChunkHit(fromLucene(stored.document(sd.doc)), sd.score));
        }
        return out;
    }

    private static IndexedChunk fromLucene(Document d) {
        Map<String, String> meta;
        try {
            meta = JSON.readValue(d.get("meta"), MAP);
        } catch (JsonProcessingException e) {
            meta = new HashMap<>();
        }
        return new IndexedChunk(d.get(DOC_ID), d.get("title"), d.get(CHUNK_ID), d.getField("ordinal").numericValue().intValue(),
                d.get("text"), d.get("heading"), d.getField("start").numericValue().intValue(),
                d.getField("end").numericValue().intValue(), d.get("lang"), Map.copyOf(meta), null);
    }

    private interface SearcherFn<T> {
        T apply(IndexSearcher s) throws IOException;
    }

    private <T> T withSearcher(SearcherFn<T> fn) {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return fn.apply(s);
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("searching the Lucene index in " + dir + " failed", e);
        }
    }

    @Override
    public void close() {
        try {
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
