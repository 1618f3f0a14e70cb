package dev.ragtune.registry.errors;

import java.util.regex.Pattern;

import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.errors.Inputs;

/** Input checks shared by the resources; each failure is a 400 naming the field. */
public final class Checks {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    public static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final Pattern FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");
    public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private Checks() {
    }

    public static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field + " is required");
        }
        return value;
    }

    public static String matches(String value, Pattern pattern, String field, String rule) {
        required(value, field);
        if (!pattern.matcher(value).matches()) {
            throw ApiException.badRequest(field + " '" + abbreviate(value) + "' is invalid: " + rule);
        }
        return value;
    }

    public static String adapterName(String value) {
        return matches(value, NAME, "adapter name", "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters");
    }

    public static String aliasName(String value) {
        return matches(value, ALIAS, "alias", "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters");
    }

    public static String fileName(String value) {
        return matches(value, FILE, "file name", "letters, digits, '.', '_' and '-', at most 255 characters, not starting with '.' or '-'");
    }

    public static String sha256(String value, String field) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!SHA256.matcher(v).matches()) {
            throw ApiException.badRequest(field + " '" + abbreviate(value) + "' is not a sha256 (64 hex digits)");
        }
        return v;
    }

    /** Parses a version path segment; anything but a positive integer is an unknown version (404). */
    public static int version(String value, String adapter) {
        try {
            int v = Integer.parseInt(value);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw ApiException.notFound("version '" + abbreviate(value) + "' of adapter '" + adapter + "' not found: versions are 1, 2, 3…");
    }

    public static final int MAX_ARCHITECTURE = 128;
    public static final int MAX_LOCATION = 4096;
    public static final int MAX_DESCRIPTION = 10_000;
    public static final int MAX_TAGS = 64;
    public static final int MAX_TAG_KEY = 64;
    public static final int MAX_TAG_VALUE = 1024;

    /** A client's text: no U+0000 (PostgreSQL text cannot hold it), at most {@code max} characters; null stays null. */
    public static String text(String value, int max, String field) {
        return Inputs.text(value, max, field);
    }

    /**
     * Whether a failed write is a unique-constraint violation (SQL state 23505), the only persistence error that means
     * "already exists"; anything else is not the caller's conflict.
     */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
