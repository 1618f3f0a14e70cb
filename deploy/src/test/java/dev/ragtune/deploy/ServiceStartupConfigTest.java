package dev.ragtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.Ports;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.embedded.ServiceProcess;

/**
 * The packaged model-registry (its fast-jar, as {@code ragtune up} and the container image run it) with an API key
 * whose role it does not have: it refuses to start and its log names the role, instead of starting and failing the
 * first request. The three services check their keys the same way at start ({@code *Security.checkKeysAtStart}).
 */
class ServiceStartupConfigTest {
    @TempDir
    Path dir;

    @Test
    void aKeyWithAnUnknownRoleStopsTheServiceAtStartWithTheReason() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(dir.resolve("pg"), Ports.free());
             KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Ports.free())) {
            postgres.createDatabase("registry");
            Path log = dir.resolve("model-registry.log");
            int port = Ports.free();
            ServiceProcess registry = ServiceProcess.builder("model-registry", ServiceProcess.quarkusRunJar("model-registry"))
                    .port(port)
                    .logFile(log)
                    .startTimeout(Duration.ofMinutes(5))
                    .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl("registry"))
                    .property("quarkus.datasource.username", postgres.username())
                    .property("quarkus.datasource.password", postgres.password())
                    .property("ragtune.registry.kafka.bootstrap-servers", kafka.bootstrapServers())
                    .property("ragtune.registry.blob-dir", dir.resolve("blobs").toString())
                    .property("ragtune.registry.public-base-url", "http://127.0.0.1:" + port)
                    .property("ragtune.registry.api-keys.\"a-key-for-the-reader-role-0001\"", "reader:alice")
                    .property("ragtune.registry.api-keys.\"a-key-with-a-misspelt-role-0002\"", "superuser:bob")
                    .build();
            try {
                assertThatThrownBy(registry::start).hasMessageContaining("model-registry exited with status");
                assertThat(Files.readString(log)).contains("unknown role 'superuser' (reader, publisher, ops, admin)");
                assertThat(Ports.listening(port)).isFalse();
            } finally {
                registry.close();
            }
        }
    }
}
