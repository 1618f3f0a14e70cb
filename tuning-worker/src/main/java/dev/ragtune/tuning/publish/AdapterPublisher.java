package dev.ragtune.tuning.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtune.common.registry.AliasChange;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.RegistryException;
import dev.ragtune.common.registry.RegistryUnavailableException;
import dev.ragtune.common.registry.VersionInfo;

import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything a job asks of the model-registry, each call through {@link RegistryRetry}:
 * the current production version (and its files), and publishing a package exactly once.
 *
 * <p>Exactly once: the manifest carries {@code job.id}. Before uploading, the adapter's versions are
 * searched for that id, so a job retried after a crash (or after an upload whose answer was lost)
 * finds its version instead of uploading a second one. The upload itself is one atomic
 * registration on the registry's side: a version is either there whole or not at all.
 */
public final class AdapterPublisher {
    public static final String PRODUCTION = "production";
    private final RegistryClient client;
    private final RegistryRetry retry;

    public AdapterPublisher(RegistryClient client, RegistryRetry retry) {
        this.client = client;
        this.retry = retry;
    }

    /** The version {@code production} points at; empty when the adapter or the alias does not exist. */
    public Optional<VersionInfo> production(String adapter) {
        return retry.call("resolve " + adapter + "@" + PRODUCTION, () -> client.adapter(adapter).isEmpty()
                ? Optional.<VersionInfo>empty() : client.resolveAlias(adapter, PRODUCTION));
    }

    /** Downloads a version's files into {@code dir}, each verified against its sha256. */
    public Path download(VersionInfo version, Path dir) {
        return retry.call("download " + version.adapter() + "@" + version.version(), () -> client.downloadVersion(version, dir));
    }

    /** The version an earlier attempt of this job registered, if any. */
    public Optional<VersionInfo> publishedBy(String adapter, UUID jobId) {
        return retry.call("look for job " + jobId + " among " + adapter + "'s versions", () -> {
            if (client.adapter(adapter).isEmpty()) {
                return Optional.<VersionInfo>empty();
            }
            return client.versions(adapter).stream().filter(v -> jobId.toString().equals(jobIdOf(v.manifest()))).findFirst();
        });
    }

    static String jobIdOf(JsonNode manifest) {
        return manifest == null ? null : manifest.path("job").path("id").asText(null);
    }

    /** What {@link #publish} did. */
    /**
     * @param stagingError why {@code staging} could not be set (e.g. the key lacks the {@code ops} role); the
     *                     version is published regardless
     */
    public record Published(VersionInfo version, boolean alreadyThere, AliasChange staging, String stagingError) {
    }

    /**
     * Ensures the base model and the adapter exist, registers the package as a new version unless
     * this job already did, and points {@code staging} at it when the decision says so.
     */
    public Published publish(String adapter, BaseModelInfo base, AdapterPackage pkg, UUID jobId, StagingRule.Decision staging) {
        retry.call("register base model " + base.id(), () -> client.ensureBaseModel(base.id(), base.architecture(),
                base.checkpointLocation(), base.sha256(), base.description()));
        retry.call("register adapter " + adapter, () -> client.ensureAdapter(adapter, base.id(),
                "LoRA adapter trained by the ragtune tuning-worker"));
        Optional<VersionInfo> earlier = publishedBy(adapter, jobId);
        VersionInfo version = earlier.orElseGet(() -> retry.call("upload a version of " + adapter, () -> {
            // an upload whose answer was lost may have registered the version: look again before re-sending
            Optional<VersionInfo> again = publishedByOnce(adapter, jobId);
            return again.orElseGet(() -> client.registerVersion(adapter, pkg.manifest(), pkg.files()));
        }));
        AliasChange change = null;
        String stagingError = null;
        if (staging.staging()) {
            try {
                change = retry.call("set " + adapter + "@" + StagingRule.ALIAS, () -> client.setAlias(adapter, StagingRule.ALIAS,
                        version.version(), "tuning-worker job " + jobId + ": " + staging.reason(), false));
            } catch (RegistryUnavailableException e) {
                throw e;
            } catch (RegistryException e) {
                stagingError = "published as version " + version.version() + " but the registry refused to set "
                        + StagingRule.ALIAS + " (" + e.status() + " " + e.code() + "): " + e.getMessage();
            }
        }
        return new Published(version, earlier.isPresent(), change, stagingError);
    }

    private Optional<VersionInfo> publishedByOnce(String adapter, UUID jobId) {
        return client.versions(adapter).stream().filter(v -> jobId.toString().equals(jobIdOf(v.manifest()))).findFirst();
    }

    /** The registry's base-model record for the job's checkpoint. */
    public record BaseModelInfo(String id, String architecture, String checkpointLocation, String sha256, String description) {
    }
}
