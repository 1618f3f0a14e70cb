package dev.ragtune.tuning;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import dev.ragtune.embedded.PostgresServer;

/** Direct SQL for the tests' assertions. */
public final class Db {

    private Db() {
    }

    public static long count(PostgresServer pg, String sql, Object... args) throws Exception {
        try (Connection c = pg.connect("worker"); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public static int update(PostgresServer pg, String sql, Object... args) throws Exception {
        try (Connection c = pg.connect("worker"); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
