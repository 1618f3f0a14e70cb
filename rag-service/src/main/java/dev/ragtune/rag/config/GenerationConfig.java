package dev.ragtune.rag.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ragtune.common.events.AdapterEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of answers, adapters and feedback (prefix {@code ragtune.rag}, beside {@link RagConfig}'s
 * retrieval settings).
 */
@ConfigMapping(prefix = "ragtune.rag")
public interface GenerationConfig {

    Model model();

    Generation generation();

    Registry registry();

    Adapters adapters();

    Feedback feedback();

    interface Model {
        /**
         * The Hugging Face checkpoint folder to serve (env {@code RAGTUNE_MODEL_DIR}). Absent: the answer
         * endpoints answer 503 and only retrieval works.
         */
        Optional<Path> dir();

        /** Where the ONNX export of the checkpoint is cached (by content hash). */
        @WithDefault(".ragtune/rag/model-cache")
        Path cacheDir();

        /** fp32 or fp16 weights in the export. */
        @WithDefault("fp32")
        String precision();

        /** ONNX Runtime intra-op threads per decode step; 0 = its default. */
        @WithDefault("0")
        int threads();
    }

    interface Generation {
        /** Generations decoding at once on the shared ONNX Runtime session. */
        @WithDefault("4")
        int maxConcurrent();

        /** Generations waiting for a slot; beyond that requests get 503. */
        @WithDefault("64")
        int maxQueued();

        /** maxTokens when a request does not say. */
        @WithDefault("256")
        int defaultMaxTokens();

        /** Largest maxTokens a request may ask for. */
        @WithDefault("2048")
        int maxTokensLimit();

        /** topK of retrieval when a request does not say. */
        @WithDefault("5")
        int defaultTopK();

        /** The instruction put in the system turn of cited answers; absent: the built-in one. */
        Optional<String> citationInstruction();
    }

    interface Registry {
        /** Base URL of the model-registry (env {@code RAGTUNE_RAG_REGISTRY_URL}); absent: only {@code base} is served. */
        Optional<String> url();

        /** API key with the registry's {@code reader} role (env {@code RAGTUNE_RAG_REGISTRY_KEY}). */
        Optional<String> key();

        @WithDefault("10s")
        Duration timeout();
    }

    interface Adapters {
        /**
         * Adapters pre-loaded at start (all their aliases; readiness waits for them). Not a limit: any adapter the
         * registry has is loaded on its first request.
         */
        Optional<List<String>> served();

        /** Smallest accepted {@link #memoryBudget()}: 1 KiB. */
        long MIN_MEMORY_BUDGET = 1024L;
        /** Largest accepted {@link #memoryBudget()}: 1 TiB. */
        long MAX_MEMORY_BUDGET = 1L << 40;

        /**
         * Most bytes of adapter versions loaded at once (the size of their {@code .onnx_adapter}s), between
         * {@value #MIN_MEMORY_BUDGET} and {@value #MAX_MEMORY_BUDGET}; the least recently used version no request holds is
         * evicted to make room. Default 2 GiB.
         */
        @WithDefault("2147483648")
        long memoryBudget();

        /** How long a load waits for room when every resident version is in use; then the request gets 503. */
        @WithDefault("30s")
        Duration loadTimeout();

        /** What a request without {@code adapter}/{@code model} is answered by: base, name, name:alias, name@version. */
        @WithDefault("base")
        String defaultRef();

        /** The alias a bare adapter name means. */
        @WithDefault("production")
        String defaultAlias();

        /** Where downloaded (verified) adapter versions are kept. */
        @WithDefault(".ragtune/rag/adapters")
        Path cacheDir();

        /** Kafka topic of the registry's events. */
        @WithDefault(AdapterEvent.TOPIC)
        String topic();

        /** Prefix of this replica's own consumer group; a random UUID is appended. */
        @WithDefault("rag-service-")
        String groupPrefix();

        /** How often an adapter whose start-up resolution failed (registry down) is tried again. */
        @WithDefault("5s")
        Duration retryInterval();

        /** Extra Kafka consumer properties. */
        Map<String, String> consumer();
    }

    interface Feedback {
        /** Topic the training records of feedback go to. */
        @WithDefault("training-records")
        String topic();

        /** Longest wait for Kafka to acknowledge a training record. */
        @WithDefault("15s")
        Duration sendTimeout();

        /**
         * The adapter that training records of answers given by the base model are filed under; absent:
         * feedback on base answers is stored but produces no training record.
         */
        Optional<String> baseAdapter();

        /** Extra Kafka producer properties. */
        Map<String, String> producer();
    }
}
