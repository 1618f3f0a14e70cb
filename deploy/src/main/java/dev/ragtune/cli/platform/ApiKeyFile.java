package dev.ragtune.cli.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code .ragtune/api-keys.json}: one API key per role ({@code {"admin": "…", "ops": "…", "publisher": "…",
 * "reader": "…", "ingest": "…", "query": "…"}}), generated on first start (owner-only permissions) and read by the
 * command line. A role missing from an existing file is added; keys already there are kept.
 */
public final class ApiKeyFile {
    public static final List<String> ROLES = List.of("admin", "ops", "publisher", "reader", "ingest", "query");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ApiKeyFile() {
    }

    /** The keys in {@code file}, generating the file or the missing roles. */
    public static Map<String, String> loadOrCreate(Path file) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (Files.exists(file)) {
            keys.putAll(read(file));
        }
        boolean changed = false;
        SecureRandom random = new SecureRandom();
        for (String role : ROLES) {
            if (!keys.containsKey(role)) {
                byte[] b = new byte[24];
                random.nextBytes(b);
                keys.put(role, "rt-" + role + "-" + HexFormat.of().formatHex(b));
                changed = true;
            }
        }
        if (changed) {
            write(file, keys);
        }
        return keys;
    }

    /**
     * Sets the given roles' keys in {@code file} (creating it), keeping the others: {@code ragtune up --api-key
     * ROLE=KEY} and the {@code RAGTUNE_KEY_<ROLE>} environment variables.
     *
     * @throws IllegalArgumentException naming an unknown role or an unusable key
     */
    public static void override(Path file, Map<String, String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Map<String, String> all = new LinkedHashMap<>(Files.exists(file) ? read(file) : Map.of());
        keys.forEach((role, key) -> {
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("unknown role '" + role + "' for an API key; roles are " + ROLES);
            }
            if (key == null || key.length() < 16 || !key.matches("[\\x21-\\x7e]+")) {
                throw new IllegalArgumentException("the API key of role '" + role
                        + "' must be at least 16 printable characters without spaces");
            }
            all.put(role, key);
        });
        write(file, all);
    }

    /** Keys from the environment: {@code RAGTUNE_KEY_ADMIN}, {@code RAGTUNE_KEY_OPS}, … */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String role : ROLES) {
            String v = env.get("RAGTUNE_KEY_" + role.toUpperCase(java.util.Locale.ROOT));
            if (v != null && !v.isBlank()) {
                keys.put(role, v);
            }
        }
        return keys;
    }

    /** The keys in an existing file. */
    public static Map<String, String> read(Path file) {
        try {
            Map<String, String> keys = JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
            keys.forEach((role, key) -> {
                if (key == null || key.isBlank()) {
                    throw new IllegalArgumentException(file + ": the key of role '" + role + "' is empty");
                }
            });
            return keys;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a JSON object of role → key: " + e.getMessage(), e);
        }
    }

    private static void write(Path file, Map<String, String> keys) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, JSON.writeValueAsString(keys) + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the default permissions
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
