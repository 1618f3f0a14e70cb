package dev.ragtune.rag.adapters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.ragtune.common.registry.AdapterInfo;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.RegistryException;
import dev.ragtune.common.registry.RegistryUnavailableException;
import dev.ragtune.common.registry.VersionInfo;

/**
 * Adapter versions from the model-registry's REST API, downloaded into
 * {@code <cacheDir>/<adapter>/<version>/} with every file's sha256 verified. A version folder is
 * complete only once all its files are verified: files go to a staging folder that is renamed into
 * place, with a {@code .verified} list of name and sha256; a cached folder is reused only when that
 * list matches what the registry lists now.
 */
public final class RegistryAdapterSource implements AdapterSource {
    static final String VERIFIED = ".verified";
    static final String ARCHIVED = "ARCHIVED";

    private final RegistryClient client;
    private final Path cacheDir;
    private final int retryAfterSeconds;

    public RegistryAdapterSource(RegistryClient client, Path cacheDir) {
        this(client, cacheDir, 5);
    }

    /** @param retryAfterSeconds the {@code Retry-After} of a 503 while the registry cannot be reached */
    public RegistryAdapterSource(RegistryClient client, Path cacheDir, int retryAfterSeconds) {
        this.client = client;
        this.cacheDir = cacheDir;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Map<String, Integer> aliases(String adapter) {
        AdapterInfo info;
        try {
            info = client.adapter(adapter).orElseThrow(
                    () -> AdapterReferenceException.notFound("adapter '" + adapter + "' does not exist in the registry"));
        } catch (RegistryUnavailableException e) {
            throw unavailable(adapter, e);
        }
        return info.aliases();
    }

    @Override
    public List<AdapterInfo> list() {
        try {
            return client.adapters();
        } catch (RegistryUnavailableException e) {
            throw AdapterReferenceException.registryUnavailable("the model registry cannot be reached to list the adapters: "
                    + e.getMessage(), retryAfterSeconds, e);
        }
    }

    private AdapterReferenceException unavailable(String what, RegistryUnavailableException e) {
        return AdapterReferenceException.registryUnavailable("adapter '" + what + "' cannot be resolved: the model registry "
                + "cannot be reached (" + e.getMessage() + "); try again", retryAfterSeconds, e);
    }

    @Override
    public Path download(String adapter, int version) {
        VersionInfo info;
        try {
            info = client.version(adapter, version);
        } catch (RegistryUnavailableException e) {
            throw unavailable(adapter + "@" + version, e);
        } catch (RegistryException e) {
            if (e.status() == 404) {
                throw AdapterReferenceException.notFound("version " + version + " of adapter '" + adapter
                        + "' does not exist in the registry");
            }
            throw e;
        }
        if (ARCHIVED.equalsIgnoreCase(info.status())) {
            throw AdapterReferenceException.conflict("version " + version + " of adapter '" + adapter
                    + "' is archived in the registry and is not served; name an alias or an active version");
        }
        if (info.files().isEmpty()) {
            throw new IllegalStateException(adapter + "@" + version + " has no files in the registry");
        }
        String expected = info.files().stream().sorted(Comparator.comparing(VersionInfo.FileInfo::name))
                .map(f -> f.name() + " " + f.sha256().toLowerCase()).collect(Collectors.joining("\n"));
        Path dir = cacheDir.resolve(adapter).resolve(Integer.toString(version));
        try {
            Path marker = dir.resolve(VERIFIED);
            if (Files.isRegularFile(marker) && Files.readString(marker).equals(expected)) {
                return dir;
            }
            Files.createDirectories(dir.getParent());
            Path staging = dir.resolveSibling(".staging-" + version + "-" + UUID.randomUUID());
            try {
                try {
                    client.downloadVersion(info, staging); // each file verified against its sha256 and size
                } catch (RegistryUnavailableException e) {
                    throw unavailable(adapter + "@" + version, e);
                }
                Files.writeString(staging.resolve(VERIFIED), expected);
                deleteTree(dir);
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(staging);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + adapter + "@" + version + " under " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
