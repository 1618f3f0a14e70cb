package dev.ragtune.rag.adapters;

import java.util.regex.Pattern;

/**
 * What a request asks to be answered by: {@code base} (no adapter), {@code name} (its default
 * alias, normally {@code production}), {@code name:alias} or {@code name@version}.
 *
 * @param adapter null for the base model
 * @param alias   set for alias references
 * @param version set for version references
 */
public record AdapterRef(String adapter, String alias, Integer version) {

    public static final String BASE_NAME = "base";
    public static final AdapterRef BASE = new AdapterRef(null, null, null);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public boolean isBase() {
        return adapter == null;
    }

    /**
     * Parses a reference; {@code defaultAlias} is used for a bare adapter name.
     *
     * @throws AdapterReferenceException (400) naming what is malformed
     */
    public static AdapterRef parse(String ref, String defaultAlias) {
        if (ref == null || ref.isBlank()) {
            throw AdapterReferenceException.badRequest("adapter reference is empty: use 'base', 'name', 'name:alias' or 'name@version'");
        }
        String s = ref.trim();
        if (BASE_NAME.equals(s)) {
            return BASE;
        }
        int at = s.indexOf('@');
        int colon = s.indexOf(':');
        if (at >= 0 && colon >= 0) {
            throw AdapterReferenceException.badRequest("adapter reference '" + abbreviate(s)
                    + "' has both ':' and '@': use 'name:alias' or 'name@version'");
        }
        if (at >= 0) {
            String name = name(s.substring(0, at), s);
            String v = s.substring(at + 1);
            int version;
            try {
                version = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                version = 0;
            }
            if (version < 1) {
                throw AdapterReferenceException.badRequest("adapter reference '" + abbreviate(s)
                        + "': version '" + abbreviate(v) + "' must be a positive integer");
            }
            return new AdapterRef(name, null, version);
        }
        if (colon >= 0) {
            String name = name(s.substring(0, colon), s);
            String alias = s.substring(colon + 1);
            if (!ALIAS.matcher(alias).matches()) {
                throw AdapterReferenceException.badRequest("adapter reference '" + abbreviate(s) + "': alias '"
                        + abbreviate(alias) + "' is invalid (lowercase letters, digits, '.', '_', '-')");
            }
            return new AdapterRef(name, alias, null);
        }
        return new AdapterRef(name(s, s), defaultAlias, null);
    }

    private static String name(String name, String whole) {
        if (!NAME.matcher(name).matches()) {
            throw AdapterReferenceException.badRequest("adapter reference '" + abbreviate(whole) + "': adapter name '"
                    + abbreviate(name) + "' is invalid (lowercase letters, digits, '.', '_', '-')");
        }
        return name;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** The canonical text form: {@code base}, {@code name:alias} or {@code name@version}. */
    @Override
    public String toString() {
        if (isBase()) {
            return BASE_NAME;
        }
        return version != null ? adapter + "@" + version : adapter + ":" + alias;
    }
}
