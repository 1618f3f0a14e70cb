package dev.ragtune.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What each service's {@code @QuarkusTest} resources run on: a temporary directory, a PostgreSQL server with the
 * service's database and a KRaft Kafka broker keeping its data in the directory ({@code kafka/}). {@link #close()}
 * stops both and deletes the directory. Free of Quarkus: the test resources adapt it.
 */
public final class TestInfrastructure implements AutoCloseable {

    private final Path dir;
    private final String database;
    private final PostgresServer postgres;
    private final KafkaBroker kafka;

    private TestInfrastructure(Path dir, String database, PostgresServer postgres, KafkaBroker kafka) {
        this.dir = dir;
        this.database = database;
        this.postgres = postgres;
        this.kafka = kafka;
    }

    /**
     * Starts PostgreSQL (creating {@code database}) and Kafka in a new temporary directory named {@code prefix…};
     * if either fails, what was started is stopped again and the directory deleted.
     */
    public static TestInfrastructure start(String prefix, String database) {
        Path dir;
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        PostgresServer postgres = null;
        try {
            postgres = PostgresServer.start();
            postgres.createDatabase(database);
            KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), 0);
            return new TestInfrastructure(dir, database, postgres, kafka);
        } catch (RuntimeException | Error e) {
            if (postgres != null) {
                postgres.close();
            }
            PostgresServer.deleteRecursively(dir);
            throw e;
        }
    }

    /** The temporary directory; anything the tests put under it goes with {@link #close()}. */
    public Path dir() {
        return dir;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The Quarkus datasource properties of the service's database. */
    public Map<String, String> datasource() {
        return Map.of("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database),
                "quarkus.datasource.username", postgres.username(),
                "quarkus.datasource.password", postgres.password());
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            try {
                postgres.close();
            } finally {
                PostgresServer.deleteRecursively(dir);
            }
        }
    }
}
