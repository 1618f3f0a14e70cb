package dev.ragtune.embedded;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real model-registry service as a child JVM, wired to a given PostgreSQL (database {@code registry}, created if
 * missing) and Kafka broker, with one freshly generated API key per role. What the tuning-worker's and
 * rag-service's tests publish to and download from.
 */
public final class ModelRegistryProcess implements AutoCloseable {
    public static final List<String> ROLES = List.of("admin", "ops", "publisher", "reader");
    public static final String DATABASE = "registry";

    private final ServiceProcess process;
    private final Map<String, String> keys;

    private ModelRegistryProcess(ServiceProcess process, Map<String, String> keys) {
        this.process = process;
        this.keys = keys;
    }

    /**
     * Starts the registry from {@code model-registry/target/quarkus-app} of this checkout.
     *
     * @param dataDir blobs go to {@code dataDir/blobs}, the log to {@code dataDir/model-registry.log}
     */
    public static ModelRegistryProcess start(PostgresServer postgres, KafkaBroker kafka, Path dataDir) {
        return start(postgres, kafka, dataDir, 0, Map.of());
    }

    /**
     * @param port  HTTP port, 0 for a free one
     * @param extra further {@code ragtune.registry.*} / Quarkus properties (e.g. a shorter Kafka back-off)
     */
    public static ModelRegistryProcess start(PostgresServer postgres, KafkaBroker kafka, Path dataDir, int port,
                                             Map<String, String> extra) {
        postgres.createDatabase(DATABASE);
        Map<String, String> keys = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (String role : ROLES) {
            byte[] b = new byte[16];
            random.nextBytes(b);
            keys.put(role, role + "-" + HexFormat.of().formatHex(b));
        }
        int httpPort = port == 0 ? Ports.free() : port;
        ServiceProcess.Builder b = ServiceProcess.builder("model-registry", ServiceProcess.quarkusRunJar("model-registry"))
                .port(httpPort)
                .jvmArg("-Xmx512m")
                .logFile(dataDir.resolve("model-registry.log"))
                .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl(DATABASE))
                .property("quarkus.datasource.username", postgres.username())
                .property("quarkus.datasource.password", postgres.password())
                .property("ragtune.registry.kafka.bootstrap-servers", kafka.bootstrapServers())
                .property("ragtune.registry.blob-dir", dataDir.resolve("blobs").toAbsolutePath().toString())
                .property("ragtune.registry.public-base-url", "http://127.0.0.1:" + httpPort);
        keys.forEach((role, key) -> b.property("ragtune.registry.api-keys.\"" + key + "\"", role + ":test-" + role));
        b.properties(extra);
        return new ModelRegistryProcess(b.start(), Map.copyOf(keys));
    }

    public URI baseUrl() {
        return process.baseUrl();
    }

    /** The API key of a role: {@code admin}, {@code ops}, {@code publisher} or {@code reader}. */
    public String key(String role) {
        String key = keys.get(role);
        if (key == null) {
            throw new IllegalArgumentException("no key for role '" + role + "'; roles: " + ROLES);
        }
        return key;
    }

    public ServiceProcess process() {
        return process;
    }

    /** Stops and starts it again on the same port with the same keys (a registry outage and its return). */
    public void restart() {
        process.stop();
        process.start();
    }

    @Override
    public void close() {
        process.close();
    }
}
