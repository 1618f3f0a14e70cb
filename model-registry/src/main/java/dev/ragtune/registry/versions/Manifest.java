package dev.ragtune.registry.versions;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.registry.errors.Checks;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.common.manifest.VersionManifest;

/**
 * A version's manifest: {@code {"files": [{"name", "sha256", "size"?}], "training": {…}, "hyperparameters": {…},
 * "metrics": {…}, "parentVersion": N}}, every field optional ({@link VersionManifest}). Malformed manifests are rejected with 400.
 */
public record Manifest(String text, ObjectNode json, Map<String, Expected> files, Integer parentVersion) {

    /** What the manifest promises about one file. */
    public record Expected(String sha256, Long size) {
    }

    public static Manifest parse(String text, int maxBytes, ObjectMapper mapper) {
        if (text == null || text.isBlank()) {
            return new Manifest("{}", mapper.createObjectNode(), Map.of(), null);
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw ApiException.badRequest("manifest is " + bytes + " bytes, more than the limit of " + maxBytes
                    + " bytes (ragtune.registry.max-manifest-bytes)");
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("manifest is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("manifest must be a JSON object");
        }
        ObjectNode obj = (ObjectNode) root;
        for (String field : VersionManifest.OBJECT_FIELDS) {
            JsonNode n = obj.get(field);
            if (n != null && !n.isNull() && !n.isObject()) {
                throw ApiException.badRequest("manifest field '" + field + "' must be a JSON object");
            }
        }
        Integer parent = null;
        JsonNode pv = obj.get(VersionManifest.PARENT_VERSION);
        if (pv != null && !pv.isNull()) {
            if (!pv.canConvertToInt() || !pv.isIntegralNumber() || pv.asInt() < 1) {
                throw ApiException.badRequest("manifest field '" + VersionManifest.PARENT_VERSION + "' must be a positive integer, got "
                        + Checks.abbreviate(pv.toString()));
            }
            parent = pv.asInt();
        }
        Map<String, Expected> files = new LinkedHashMap<>();
        JsonNode fs = obj.get(VersionManifest.FILES);
        if (fs != null && !fs.isNull()) {
            if (!fs.isArray()) {
                throw ApiException.badRequest("manifest field '" + VersionManifest.FILES + "' must be an array of {name, sha256}");
            }
            int i = 0;
            for (JsonNode f : fs) {
                String where = "manifest " + VersionManifest.FILES + "[" + i++ + "]";
                if (!f.isObject()) {
                    throw ApiException.badRequest(where + " must be an object {name, sha256}");
                }
                JsonNode name = f.get(VersionManifest.FILE_NAME);
                if (name == null || !name.isTextual()) {
                    throw ApiException.badRequest(where + ".name is required and must be a string");
                }
                Checks.fileName(name.asText());
                JsonNode sha = f.get(VersionManifest.FILE_SHA256);
                if (sha != null && !sha.isNull() && !sha.isTextual()) {
                    throw ApiException.badRequest(where + ".sha256 must be a string");
                }
                JsonNode size = f.get(VersionManifest.FILE_SIZE);
                if (size != null && !size.isNull() && (!size.isIntegralNumber() || size.asLong() < 0)) {
                    throw ApiException.badRequest(where + ".size must be a non-negative integer");
                }
                String expectedSha = sha == null || sha.isNull() ? null : Checks.sha256(sha.asText(), where + ".sha256");
                if (files.put(name.asText(), new Expected(expectedSha, size == null || size.isNull() ? null : size.asLong())) != null) {
                    throw ApiException.badRequest("manifest lists file '" + name.asText() + "' twice");
                }
            }
        }
        return new Manifest(text, obj, files, parent);
    }
}
