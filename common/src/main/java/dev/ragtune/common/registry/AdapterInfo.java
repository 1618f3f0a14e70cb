package dev.ragtune.common.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.Map;

/** An adapter as {@code GET /v1/adapters/{name}} shows it: {@code aliases} maps alias name to version. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AdapterInfo(String name, String baseModel, String description, Map<String, String> tags, int latestVersion,
                          Map<String, Integer> aliases) {
    public AdapterInfo {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
    }
}
