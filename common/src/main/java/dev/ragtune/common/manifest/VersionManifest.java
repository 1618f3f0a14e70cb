package dev.ragtune.common.manifest;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * The top-level keys of a version's manifest, the JSON a publisher sends with a new version and the registry stores
 * and returns with it: {@code {"files": [{"name", "sha256", "size"?}], "training": {…}, "hyperparameters": {…},
 * "metrics": {…}, "parentVersion": N}}, every field optional; a publisher may add more (the tuning-worker adds
 * {@code job}, {@code baseModel…}, {@code snapshot}, {@code staging}), which the registry keeps as they are.
 * The keys inside {@link #METRICS} are {@link MetricNames}.
 */
public final class VersionManifest {

    /** The version's files: {@code [{"name", "sha256", "size"?}]}; the registry client (re)writes it from the uploaded files. */
    public static final String FILES = "files";
    /** In a {@link #FILES} entry: the file name (also the name of its multipart part). */
    public static final String FILE_NAME = "name";
    /** In a {@link #FILES} entry: the lowercase hex sha256 the upload must match. */
    public static final String FILE_SHA256 = "sha256";
    /** In a {@link #FILES} entry: the size in bytes the upload must match (optional). */
    public static final String FILE_SIZE = "size";
    /** An object: what the version was trained on. */
    public static final String TRAINING = "training";
    /** An object: the training hyperparameters. */
    public static final String HYPERPARAMETERS = "hyperparameters";
    /** An object: the evaluation figures ({@link MetricNames}). */
    public static final String METRICS = "metrics";
    /** A positive integer: the existing version this one was trained from. */
    public static final String PARENT_VERSION = "parentVersion";

    /** The fields that, when present and not null, must be JSON objects. */
    public static final List<String> OBJECT_FIELDS = List.of(TRAINING, HYPERPARAMETERS, METRICS);

    private VersionManifest() {
    }

    /** The manifest's {@link #METRICS} object, or a missing node when there is none (or it is not an object). */
    public static JsonNode metrics(JsonNode manifest) {
        JsonNode m = manifest == null ? null : manifest.get(METRICS);
        return m != null && m.isObject() ? m : MissingNode.getInstance();
    }
}
