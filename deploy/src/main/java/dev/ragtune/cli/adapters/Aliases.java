package dev.ragtune.cli.adapters;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** {@code production=v3 staging=v4}. */
final class Aliases {
    private Aliases() {
    }

    static String format(Map<String, Integer> aliases) {
        if (aliases == null || aliases.isEmpty()) {
            return "-";
        }
        return new TreeMap<>(aliases).entrySet().stream().map(e -> e.getKey() + "=v" + e.getValue()).collect(Collectors.joining(" "));
    }
}
