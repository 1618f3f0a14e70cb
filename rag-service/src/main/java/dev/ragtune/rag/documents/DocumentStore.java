package dev.ragtune.rag.documents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.retrieval.index.IndexedChunk;
import dev.ragtune.retrieval.ingest.ParsedDocument;
import dev.ragtune.retrieval.ingest.PreparedChunk;
import dev.ragtune.retrieval.retrieve.RetrievalCore;
import io.micrometer.core.annotation.Timed;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Documents in PostgreSQL and their chunks in the Lucene index, kept in step.
 * <p>
 * Parsing, chunking and embedding happen before anything is written. Then, under one lock that orders all writes,
 * one database transaction replaces the document row and its chunk rows; the index update ({@code updateDocuments} +
 * commit) runs inside that transaction after the rows are flushed, so a database error leaves the index untouched.
 * Should the database commit itself fail after the index was updated, the document is re-indexed from the database.
 */
@ApplicationScoped
public class DocumentStore {

    private static final Logger LOG = Logger.getLogger(DocumentStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };

    /** What an ingestion did. */
    public record IngestResult(DocumentRecord document, boolean created, boolean changed) {
    }

    @Inject
    EntityManager em;

    @Inject
    RetrievalCore core;

    private final ReentrantLock writes = new ReentrantLock(true);

    /** The content hash: sha256 over title, sorted metadata and text. */
    public static String contentHash(String title, Map<String, String> metadata, String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((title == null ? "" : title).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(JSON.writeValueAsBytes(new TreeMap<>(metadata)));
            md.update((byte) 0);
            md.update(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stores a parsed document under {@code id} (null: an id derived from the content hash), replacing an older
     * version's chunks, or does nothing when the content hash is unchanged.
     */
    @Timed(value = "ragtune.rag.ingest", description = "ingestion of one document: chunking, embedding, database and index", histogram = true)
    public IngestResult ingest(String id, String title, Map<String, String> metadata, ParsedDocument parsed, String sourceName,
                               String actor) {
        String effectiveTitle = title != null && !title.isBlank() ? title.strip() : parsed.title();
        String hash = contentHash(effectiveTitle, metadata, parsed.text());
        String docId = id != null ? id : "doc-" + hash.substring(0, 16);
        DocumentRecord existing = QuarkusTransaction.requiringNew().call(() -> em.find(DocumentRecord.class, docId));
        if (existing != null && existing.contentHash.equals(hash)) {
            return new IngestResult(existing, false, false);
        }
        List<PreparedChunk> prepared = core.preparer().prepare(parsed.text());
        List<IndexedChunk> indexed = prepared.stream().map(p -> p.toIndexed(docId, effectiveTitle, metadata)).toList();
        writes.lock();
        try {
            boolean[] indexTouched = {false};
            try {
                return QuarkusTransaction.requiringNew().call(() -> {
                    DocumentRecord doc = em.find(DocumentRecord.class, docId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                    if (doc != null && doc.contentHash.equals(hash)) {
                        return new IngestResult(doc, false, false);
                    }
                    boolean created = doc == null;
                    Instant now = Instant.now();
                    if (created) {
                        doc = new DocumentRecord();
                        doc.id = docId;
                        doc.revision = 0;
                        doc.createdAt = now;
                        doc.createdBy = actor;
                    } else {
                        em.createQuery("delete from ChunkRecord where documentId = :d").setParameter("d", docId).executeUpdate();
                    }
                    doc.title = effectiveTitle;
                    doc.contentType = parsed.contentType();
                    doc.sourceName = sourceName;
                    doc.contentHash = hash;
                    doc.metadata = json(metadata);
                    doc.text = parsed.text();
                    doc.chunkCount = prepared.size();
                    doc.revision++;
                    doc.updatedAt = now;
                    if (created) {
                        em.persist(doc);
                    }
                    for (PreparedChunk p : prepared) {
                        em.persist(record(docId, p));
                    }
                    em.flush();
                    indexTouched[0] = true;
                    core.index().replaceDocument(docId, indexed);
                    return new IngestResult(doc, created, true);
                });
            } catch (RuntimeException e) {
                if (indexTouched[0]) {
                    resync(docId);
                }
                throw e;
            }
        } finally {
            writes.unlock();
        }
    }

    /** Deletes a document and its chunks; false if there was none. */
    public boolean delete(String id) {
        writes.lock();
        try {
            boolean[] indexTouched = {false};
            try {
                return QuarkusTransaction.requiringNew().call(() -> {
                    DocumentRecord doc = em.find(DocumentRecord.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                    if (doc == null) {
                        return false;
                    }
                    em.createQuery("delete from ChunkRecord where documentId = :d").setParameter("d", id).executeUpdate();
                    em.remove(doc);
                    em.flush();
                    indexTouched[0] = true;
                    core.index().deleteDocument(id);
                    return true;
                });
            } catch (RuntimeException e) {
                if (indexTouched[0]) {
                    resync(id);
                }
                throw e;
            }
        } finally {
            writes.unlock();
        }
    }

    /** Makes the index hold exactly what the database has for one document. */
    private void resync(String id) {
        try {
            List<IndexedChunk> chunks = QuarkusTransaction.requiringNew().call(() -> {
                DocumentRecord doc = em.find(DocumentRecord.class, id);
                return doc == null ? List.<IndexedChunk>of() : indexedChunks(doc);
            });
            core.index().replaceDocument(id, chunks);
        } catch (RuntimeException e) {
            LOG.errorf(e, "document %s: the index may differ from the database; run POST /v1/admin/reindex", id);
        }
    }

    /** What a rebuild did. */
    public record ReindexResult(int documents, int chunks, int reembedded, long millis) {
    }

    /**
     * Rebuilds the index from the database, document by document (pages of 200). Chunks whose stored embedding came
     * from another model are embedded again and written back.
     */
    @Timed(value = "ragtune.rag.reindex", description = "rebuilds of the index from the database")
    public ReindexResult reindex() {
        writes.lock();
        try {
            long t0 = System.nanoTime();
            int[] counts = new int[3];
            Iterable<List<IndexedChunk>> source = () -> new Iterator<>() {
                private final List<List<IndexedChunk>> page = new ArrayList<>();
                private String after = "";
                private boolean done;

                @Override
                public boolean hasNext() {
                    if (page.isEmpty() && !done) {
                        String from = after;
                        List<DocumentRecord> docs = QuarkusTransaction.requiringNew().call(() -> em
                                .createQuery("from DocumentRecord where id > :a order by id", DocumentRecord.class)
                                .setParameter("a", from).setMaxResults(200).getResultList());
                        if (docs.isEmpty()) {
                            done = true;
                        } else {
                            after = docs.get(docs.size() - 1).id;
                            page.addAll(QuarkusTransaction.requiringNew().call(() -> {
                                List<List<IndexedChunk>> out = new ArrayList<>();
                                for (DocumentRecord d : docs) {
                                    out.add(indexedChunks(em.merge(d), counts));
                                }
                                return out;
                            }));
                        }
                    }
                    return !page.isEmpty();
                }

                @Override
                public List<IndexedChunk> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    List<IndexedChunk> c = page.remove(0);
                    counts[0]++;
                    counts[1] += c.size();
                    return c;
                }
            };
            core.index().rebuild(source);
            return new ReindexResult(counts[0], counts[1], counts[2], (System.nanoTime() - t0) / 1_000_000);
        } finally {
            writes.unlock();
        }
    }

    private List<IndexedChunk> indexedChunks(DocumentRecord d) {
        return indexedChunks(d, new int[3]);
    }

    /** Chunks of a document from the database, embedded again where the stored model differs (inside a transaction). */
    private List<IndexedChunk> indexedChunks(DocumentRecord d, int[] counts) {
        List<ChunkRecord> rows = em.createQuery("from ChunkRecord where documentId = :d order by ordinal", ChunkRecord.class)
                .setParameter("d", d.id).getResultList();
        String model = core.embedder().modelId();
        List<ChunkRecord> stale = rows.stream().filter(r -> !r.embeddingModel.equals(model)).toList();
        if (!stale.isEmpty()) {
            List<float[]> vectors = core.embedder().embed(stale.stream()
                    .map(r -> r.headingPath.isEmpty() ? r.text : r.headingPath + "\n" + r.text).toList());
            for (int i = 0; i < stale.size(); i++) {
                stale.get(i).embedding = Vectors.toBytes(vectors.get(i));
                stale.get(i).embeddingModel = model;
            }
            counts[2] += stale.size();
        }
        Map<String, String> meta = metadata(d);
        List<IndexedChunk> out = new ArrayList<>(rows.size());
        for (ChunkRecord r : rows) {
            out.add(new IndexedChunk(d.id, d.title, r.id, r.ordinal, r.text, r.headingPath, r.startOffset, r.endOffset, r.language, meta,
                    Vectors.fromBytes(r.embedding)));
        }
        return out;
    }

    private ChunkRecord record(String docId, PreparedChunk p) {
        ChunkRecord r = new ChunkRecord();
        r.id = IndexedChunk.chunkId(docId, p.chunk().ordinal());
        r.documentId = docId;
        r.ordinal = p.chunk().ordinal();
        r.startOffset = p.chunk().start();
        r.endOffset = p.chunk().end();
        r.headingPath = p.chunk().headingLine();
        r.language = p.language();
        r.tokenCount = p.chunk().tokens();
        r.text = p.chunk().text();
        r.embeddingModel = core.embedder().modelId();
        r.embedding = Vectors.toBytes(p.vector());
        return r;
    }

    /** Number of documents and chunks in the database. */
    public long[] counts() {
        return QuarkusTransaction.requiringNew().call(() -> new long[]{
                em.createQuery("select count(d) from DocumentRecord d", Long.class).getSingleResult(),
                em.createQuery("select count(c) from ChunkRecord c", Long.class).getSingleResult()});
    }

    public static Map<String, String> metadata(DocumentRecord d) {
        try {
            return JSON.readValue(d.metadata, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("document " + d.id + " has malformed metadata", e);
        }
    }

    private static String json(Map<String, String> m) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
