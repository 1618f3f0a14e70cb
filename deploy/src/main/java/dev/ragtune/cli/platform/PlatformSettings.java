package dev.ragtune.cli.platform;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the local platform keeps its state, its ports, and the base model ({@code null}: the demo checkpoint).
 * {@code starterDocs} (nullable) is the folder ingested into rag-service on the first start (the checkout's {@code docs/});
 * {@code servedAdapters} are the adapters rag-service follows in the registry (their {@code production} alias, hot-loaded);
 * {@code extraProperties} adds system properties per service (by service name), e.g. shorter intervals in tests.
 */
public record PlatformSettings(PlatformHome home, int ragPort, int registryPort, int workerPort, int kafkaPort,
                               int postgresPort, Path checkpoint, List<String> servedAdapters, Path starterDocs,
                               Map<String, Map<String, String>> extraProperties) {
    /** The adapter the demo and the examples use. */
    public static final String DEFAULT_ADAPTER = "support-bot";
    public static final int RAG_PORT = 8080;
    public static final int REGISTRY_PORT = 8081;
    public static final int WORKER_PORT = 8082;
    public static final int KAFKA_PORT = 9092;
    public static final int POSTGRES_PORT = 5433;

    public PlatformSettings {
        extraProperties = extraProperties == null ? Map.of() : Map.copyOf(extraProperties);
        servedAdapters = servedAdapters == null ? List.of(DEFAULT_ADAPTER) : List.copyOf(servedAdapters);
        for (String a : servedAdapters) {
            if (!a.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("adapter name '" + a + "' is invalid: lower-case letters, digits and '-', at most 63");
            }
        }
        for (int p : new int[] {ragPort, registryPort, workerPort, kafkaPort, postgresPort}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is out of range 1-65535");
            }
        }
    }
}
