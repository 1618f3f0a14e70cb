package dev.ragtune.rag.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the rag-service, prefix {@code ragtune.rag}. */
@ConfigMapping(prefix = "ragtune.rag")
public interface RagConfig {

    /**
     * API keys: key → {@code role} or {@code role:actor}. Roles: query, ingest, admin (admin implies every role).
     */
    Map<String, String> apiKeys();

    /** Directory of the Lucene index (derived data: rebuilt from PostgreSQL by {@code POST /v1/admin/reindex}). */
    @WithDefault(".ragtune/rag/index")
    Path indexDir();

    Ingest ingest();

    Embedding embedding();

    Retrieval retrieval();

    Kafka kafka();

    interface Ingest {
        /** Largest accepted document (uploaded file or JSON text), in bytes; larger → 413. */
        @WithDefault("20971520")
        long maxDocumentBytes();

        /** Largest chunk, in tokens of the embedding model's tokenizer (special tokens not counted). */
        @WithDefault("200")
        int chunkTokens();

        /** Tokens of the previous chunk's last sentences repeated at the start of the next chunk. */
        @WithDefault("40")
        int chunkOverlapTokens();

        /**
         * Languages the detector chooses from (ISO 639-1). Each has its own analyzer; see docs/rag-service.md.
         */
        @WithDefault("en,ja,zh,uk,ru,de,fr,es")
        List<String> languages();
    }

    interface Embedding {
        /**
         * A sentence-transformers ONNX export folder ({@code model.onnx} + {@code tokenizer.json}); absent: the
         * default all-MiniLM-L6-v2 from the classpath.
         */
        Optional<Path> modelDir();

        /** Texts per ONNX Runtime call. */
        @WithDefault("32")
        int batchSize();

        /** Longest input in tokens, special tokens included; longer texts are truncated. */
        @WithDefault("256")
        int maxSequenceLength();

        /** ONNX Runtime intra-op threads; 0 = ONNX Runtime's default. */
        @WithDefault("0")
        int threads();
    }

    interface Retrieval {
        /** The k of reciprocal rank fusion: score = Σ 1 / (k + rank). */
        @WithDefault("60")
        int rrfK();

        /** Candidates taken from each of BM25 and kNN before fusion (at least topK). */
        @WithDefault("50")
        int candidates();

        /** Largest topK a request may ask for. */
        @WithDefault("100")
        int maxTopK();
    }

    interface Kafka {
        /** Kafka bootstrap servers (used by the feedback and adapter-event parts of the service). */
        @WithDefault("localhost:9092")
        String bootstrapServers();
    }
}
