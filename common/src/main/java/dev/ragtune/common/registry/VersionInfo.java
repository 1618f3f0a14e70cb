package dev.ragtune.common.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/** A version as {@code GET /v1/adapters/{name}/versions/{v}} shows it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VersionInfo(String adapter, int version, String status, JsonNode manifest, Integer parentVersion,
                          List<FileInfo> files, List<String> aliases) {

    public VersionInfo {
        files = files == null ? List.of() : List.copyOf(files);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public Optional<FileInfo> file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** A file of the version: its name, sha256 (hex), size in bytes and the URL the registry advertises. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileInfo(String name, String sha256, long size, String url) {
    }
}
