package dev.ragtune.common.records;

import java.util.regex.Pattern;

/** The adapter names training records may carry: {@code [a-z0-9][a-z0-9-]{0,62}}. */
public final class AdapterNames {

    public static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    public static final String RULE = "lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters";

    private AdapterNames() {
    }

    public static boolean isValid(String name) {
        return name != null && PATTERN.matcher(name).matches();
    }
}
