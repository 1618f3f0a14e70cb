package dev.ragtune.registry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.ragtune.common.events.AdapterEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the model registry, prefix {@code ragtune.registry}. */
@ConfigMapping(prefix = "ragtune.registry")
public interface RegistryConfig {

    /** Directory of the content-addressed blob store (file contents, sha256-named). */
    @WithDefault(".ragtune/registry/blobs")
    Path blobDir();

    /**
     * API keys: key → {@code role} or {@code role:actor}. Roles: reader, publisher, ops, admin.
     * The actor (default {@code <role>-<first 8 hex of sha256(key)>}) is what history records.
     */
    Map<String, String> apiKeys();

    /** Largest accepted manifest part, in bytes. */
    @WithDefault("1048576")
    int maxManifestBytes();

    /** Base URL of this service as consumers reach it; used for file URLs in events. */
    @WithDefault("http://localhost:8081")
    String publicBaseUrl();

    Kafka kafka();

    interface Kafka {
        /** Kafka bootstrap servers. */
        @WithDefault("localhost:9092")
        String bootstrapServers();

        /** Topic of the adapter events ({@link AdapterEvent}); the default is {@link AdapterEvent#TOPIC}. */
        @WithDefault(AdapterEvent.TOPIC)
        String topic();

        /** How long one send may take before the relay gives up on it and retries later. */
        @WithDefault("20s")
        Duration deliveryTimeout();

        /** How often the relay looks for unsent events when nothing woke it up. */
        @WithDefault("1s")
        Duration pollInterval();

        /** Longest pause between retries while Kafka is unreachable. */
        @WithDefault("5s")
        Duration maxBackoff();

        /** Whether the outbox relay runs in this instance. */
        @WithDefault("true")
        boolean relayEnabled();

        /** Extra producer properties. */
        Map<String, String> producer();

        Optional<String> clientId();
    }
}
