package dev.ragtune.tuning.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the tuning-worker, prefix {@code ragtune.worker}. */
@ConfigMapping(prefix = "ragtune.worker")
public interface WorkerConfig {

    /**
     * API keys: key → {@code role} or {@code role:actor}. Roles: reader (GET endpoints), ops (start and cancel
     * jobs), admin (everything). The actor defaults to {@code <role>-<first 8 hex of sha256(key)>}.
     */
    Map<String, String> apiKeys();

    /** The base model folder (Hugging Face layout): its tokenizer and chat template measure records' token lengths. */
    Path checkpointDir();

    /** Most tokens a record may take once rendered with the chat template; longer records are rejected. */
    @WithDefault("2048")
    int maxSeqLen();

    /** Fraction of each adapter's records held out for evaluation (by hash of adapter and id; never trained on). */
    @WithDefault("0.1")
    double evalFraction();

    /** Scratch space of the worker (training jobs, packaged adapters). */
    @WithDefault(".ragtune/worker")
    Path workDir();

    Registry registry();

    Kafka kafka();

    Records records();

    interface Registry {
        /** Base URL of the model-registry. */
        @WithDefault("http://localhost:8081")
        String url();

        /** API key the worker publishes versions with (role publisher). */
        Optional<String> apiKey();
    }

    interface Records {
        /** Largest accepted record value in bytes; larger ones go to the DLQ as TOO_LARGE. */
        @WithDefault("65536")
        int maxRecordBytes();
    }

    interface Kafka {
        /** Kafka bootstrap servers. */
        @WithDefault("localhost:9092")
        String bootstrapServers();

        /** Topic of the training records. */
        @WithDefault("training-records")
        String recordsTopic();

        /** Topic where invalid records go, unchanged, with the reason in headers. */
        @WithDefault("training-records.dlq")
        String dlqTopic();

        /** Topic of the registry's adapter events. */
        @WithDefault("adapter-events")
        String eventsTopic();

        /** Consumer group of the records consumer; every worker instance joins it and gets a share of the partitions. */
        @WithDefault("ragtune-tuning-worker")
        String groupId();

        /** Whether this instance consumes records. */
        @WithDefault("true")
        boolean consumerEnabled();

        /** Most records per poll, i.e. per database transaction. */
        @WithDefault("1000")
        int maxPollRecords();

        /** How long one poll waits for records. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /** Longest pause between retries while the database or the DLQ is unreachable. */
        @WithDefault("10s")
        Duration maxBackoff();

        /** How long a DLQ send may take before the batch is retried. */
        @WithDefault("30s")
        Duration deliveryTimeout();

        /** Extra consumer properties. */
        Map<String, String> consumer();

        /** Extra producer properties (DLQ). */
        Map<String, String> producer();
    }
}
