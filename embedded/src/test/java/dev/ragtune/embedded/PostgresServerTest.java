package dev.ragtune.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

    @Test
    void answersSelectOneAndCreatesDatabasesIdempotently() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            assertThat(pg.port()).isPositive();
            try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            pg.createDatabase("registry_test");
            pg.createDatabase("registry_test"); // idempotent
            try (Connection c = pg.connect("registry_test"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select current_database()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("registry_test");
            }
            assertThatThrownBy(() -> pg.createDatabase("bad\"name")).isInstanceOf(IllegalArgumentException.class);
            Path data = pg.dataDirectory();
            pg.close();
            assertThat(pg.isRunning()).isFalse();
            assertThat(Files.exists(data)).as("temporary data directory removed").isFalse();
        }
    }

    @Test
    void persistentDataDirectorySurvivesARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        try (PostgresServer pg = PostgresServer.start(data, 0)) {
            pg.createDatabase("keep");
            try (Connection c = pg.connect("keep"); Statement st = c.createStatement()) {
                st.execute("create table t(v text)");
                st.execute("insert into t values ('kept')");
            }
        }
        try (PostgresServer pg = PostgresServer.start(data, 0)) {
            try (Connection c = pg.connect("keep"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select v from t")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("kept");
            }
        }
        assertThat(Files.exists(data.resolve("PG_VERSION"))).isTrue();
    }
}
