package dev.ragtune.tuning.jobs;

import dev.ragtune.embedded.PostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/** A fresh database on a real embedded PostgreSQL with the worker's Flyway migrations (V1 records, V2 jobs) applied. */
final class TestDatabase {
    private TestDatabase() {
    }

    static DataSource create(PostgresServer pg, String name) throws Exception {
        pg.createDatabase(name);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.jdbcUrl(name));
        ds.setUser(pg.username());
        ds.setPassword(pg.password());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String file : List.of("V1__worker.sql", "V2__jobs.sql")) {
                URL url = TestDatabase.class.getResource("/db/migration/" + file);
                if (url == null) {
                    throw new IllegalStateException("migration " + file + " is not on the classpath");
                }
                try (InputStream in = url.openStream()) {
                    s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return ds;
    }
}
