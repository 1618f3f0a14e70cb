package dev.ragtune.common.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.manifest.VersionManifest;
import org.apache.hc.client5.http.classic.methods.HttpDelete;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.net.URIBuilder;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Client of the model-registry's REST API (see {@code docs/registry.md}) for the tuning-worker (publish versions,
 * set {@code staging}), the rag-service (resolve aliases, download and verify adapters) and the command line.
 *
 * <p>Errors: the registry's 4xx answers become {@link RegistryException} with its status, code and message; a
 * registry that cannot be reached, times out or answers 5xx becomes {@link RegistryUnavailableException} (retry
 * later); a download whose bytes do not match the listed sha256 becomes {@link ArtifactIntegrityException} and
 * leaves nothing behind. Thread-safe; close it to release its connections.
 */
public final class RegistryClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private final URI base;
    private final String apiKey;
    private final CloseableHttpClient http;

    public RegistryClient(URI baseUrl, String apiKey) {
        this(baseUrl, apiKey, Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    /**
     * @param connectTimeout limit for opening a connection
     * @param readTimeout    limit of inactivity while waiting for bytes (large uploads and downloads stream)
     */
    public RegistryClient(URI baseUrl, String apiKey, Duration connectTimeout, Duration readTimeout) {
        this.base = baseUrl;
        this.apiKey = apiKey;
        ConnectionConfig conn = ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(connectTimeout))
                .setSocketTimeout(Timeout.of(readTimeout))
                .build();
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(conn)
                        .setMaxConnTotal(32)
                        .setMaxConnPerRoute(32)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(readTimeout)).build())
                .disableAutomaticRetries()
                .build();
    }

    public URI baseUrl() {
        return base;
    }

    // ---------------------------------------------------------------- base models and adapters

    public Optional<JsonNode> baseModel(String id) {
        return optional(() -> send(new HttpGet(uri("v1", "base-models", id)), JsonNode.class));
    }

    /** Registers a base model unless one with this id exists already (then the existing one is kept). */
    public JsonNode ensureBaseModel(String id, String architecture, String checkpointLocation, String sha256,
                                    String description) {
        Optional<JsonNode> existing = baseModel(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        ObjectNode body = JSON.createObjectNode()
                .put("id", id).put("architecture", architecture).put("checkpointLocation", checkpointLocation)
                .put("sha256", sha256).put("description", description);
        try {
            return send(withJson(new HttpPost(uri("v1", "base-models")), body), JsonNode.class);
        } catch (RegistryException e) {
            if (e.status() == 409) {
                return baseModel(id).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    public List<AdapterInfo> adapters() {
        return send(new HttpGet(uri("v1", "adapters")), new TypeReference<List<AdapterInfo>>() { });
    }

    public Optional<AdapterInfo> adapter(String name) {
        return optional(() -> send(new HttpGet(uri("v1", "adapters", name)), AdapterInfo.class));
    }

    /** The adapter, created for {@code baseModel} if it does not exist yet (a concurrent creation is fine). */
    public AdapterInfo ensureAdapter(String name, String baseModel, String description) {
        Optional<AdapterInfo> existing = adapter(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        ObjectNode body = JSON.createObjectNode().put("name", name).put("baseModel", baseModel)
                .put("description", description);
        try {
            return send(withJson(new HttpPost(uri("v1", "adapters")), body), AdapterInfo.class);
        } catch (RegistryException e) {
            if (e.status() == 409) {
                return adapter(name).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- versions

    /**
     * Uploads a new version: the manifest's {@code files} list is (re)written with each file's name, sha256 and
     * size, so the registry verifies every byte; the upload is one atomic registration on the registry's side.
     */
    public VersionInfo registerVersion(String adapter, ObjectNode manifest, List<Path> files) {
        ObjectNode m = manifest.deepCopy();
        ArrayNode listed = m.putArray(VersionManifest.FILES);
        MultipartEntityBuilder form = MultipartEntityBuilder.create();
        for (Path f : files) {
            String name = f.getFileName().toString();
            listed.addObject().put(VersionManifest.FILE_NAME, name).put(VersionManifest.FILE_SHA256, sha256(f))
                    .put(VersionManifest.FILE_SIZE, size(f));
            form.addBinaryBody(name, f.toFile(), ContentType.APPLICATION_OCTET_STREAM, name);
        }
        form.addTextBody("manifest", m.toString(), ContentType.APPLICATION_JSON);
        HttpPost post = new HttpPost(uri("v1", "adapters", adapter, "versions"));
        post.setEntity(form.build());
        return send(post, VersionInfo.class);
    }

    public VersionInfo version(String adapter, int version) {
        return send(new HttpGet(uri("v1", "adapters", adapter, "versions", Integer.toString(version))), VersionInfo.class);
    }

    public List<VersionInfo> versions(String adapter) {
        return send(new HttpGet(uri("v1", "adapters", adapter, "versions")), new TypeReference<List<VersionInfo>>() { });
    }

    /** The version an alias points at; empty when the adapter exists but the alias is not set. */
    public Optional<VersionInfo> resolveAlias(String adapter, String alias) {
        AdapterInfo info = adapter(adapter).orElseThrow(
                () -> new RegistryException(404, "not_found", "adapter '" + adapter + "' does not exist"));
        Integer v = info.aliases().get(alias);
        return v == null ? Optional.empty() : Optional.of(version(adapter, v));
    }

    // ---------------------------------------------------------------- aliases

    /** Points an alias at a version; the promotion gate's refusal of {@code production} is a 409 {@link RegistryException}. */
    public AliasChange setAlias(String adapter, String alias, int version, String reason, boolean force) {
        ObjectNode body = JSON.createObjectNode().put("version", version).put("reason", reason).put("force", force);
        return send(withJson(new HttpPut(uri("v1", "adapters", adapter, "aliases", alias)), body), AliasChange.class);
    }

    public AliasChange rollback(String adapter, String alias, String reason) {
        ObjectNode body = JSON.createObjectNode().put("reason", reason);
        return send(withJson(new HttpPost(uri("v1", "adapters", adapter, "aliases", alias, "rollback")), body),
                AliasChange.class);
    }

    public AliasChange removeAlias(String adapter, String alias, String reason) {
        HttpDelete delete = new HttpDelete(uri("v1", "adapters", adapter, "aliases", alias));
        delete.setEntity(new StringEntity(JSON.createObjectNode().put("reason", reason).toString(), ContentType.APPLICATION_JSON));
        return send(delete, AliasChange.class);
    }

    /** The adapter's audit trail, oldest first. */
    public List<JsonNode> history(String adapter) {
        return send(new HttpGet(uri("v1", "adapters", adapter, "history")), new TypeReference<List<JsonNode>>() { });
    }

    // ---------------------------------------------------------------- downloads

    /**
     * Downloads every file of a version into {@code dir} (created if needed), each verified against its sha256 and
     * size; returns {@code dir}. Files are written under a temporary name and renamed only once verified.
     */
    public Path downloadVersion(VersionInfo version, Path dir) {
        for (VersionInfo.FileInfo f : version.files()) {
            downloadFile(version.adapter(), version.version(), f, dir);
        }
        return dir;
    }

    /** Downloads one file into {@code dir}, verified; from this client's base URL (not the advertised one). */
    public Path downloadFile(String adapter, int version, VersionInfo.FileInfo file, Path dir) {
        if (file.name().contains("/") || file.name().contains("\\") || file.name().startsWith(".")) {
            throw new ArtifactIntegrityException("refusing file name '" + file.name() + "'");
        }
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(file.name());
            Path tmp = Files.createTempFile(dir, ".download-", ".part");
            try {
                HttpGet get = new HttpGet(uri("v1", "adapters", adapter, "versions", Integer.toString(version), "files", file.name()));
                authorize(get);
                String actual = http.execute(get, response -> {
                    int status = response.getCode();
                    if (status != 200) {
                        throw failure(response, get);
                    }
                    MessageDigest md = sha256Digest();
                    try (InputStream in = response.getEntity().getContent();
                         OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
                        in.transferTo(out);
                    }
                    return HexFormat.of().formatHex(md.digest());
                });
                long size = Files.size(tmp);
                if (!actual.equalsIgnoreCase(file.sha256()) || (file.size() > 0 && size != file.size())) {
                    throw new ArtifactIntegrityException("file '" + file.name() + "' of " + adapter + "@" + version
                            + " has sha256 " + actual + " (" + size + " bytes) but the registry lists " + file.sha256()
                            + " (" + file.size() + " bytes)");
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return target;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryUnavailableException(0, "downloading " + file.name() + " of " + adapter + "@" + version
                    + " from " + base + " failed: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- plumbing

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T send(HttpUriRequestBase request, Class<T> type) {
        return send(request, JSON.getTypeFactory().constructType(type));
    }

    private <T> T send(HttpUriRequestBase request, TypeReference<T> type) {
        return send(request, JSON.getTypeFactory().constructType(type));
    }

    private <T> T send(HttpUriRequestBase request, com.fasterxml.jackson.databind.JavaType type) {
        authorize(request);
        try {
            return http.execute(request, response -> {
                if (response.getCode() / 100 != 2) {
                    throw failure(response, request);
                }
                HttpEntity entity = response.getEntity();
                String body = entity == null ? "" : EntityUtils.toString(entity, StandardCharsets.UTF_8);
                return JSON.readValue(body.isEmpty() ? "null" : body, type);
            });
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryUnavailableException(0, request.getMethod() + " " + request.getRequestUri() + " on "
                    + base + " failed: " + e.getMessage(), e);
        }
    }

    private RegistryException failure(ClassicHttpResponse response, HttpUriRequestBase request)
            throws IOException, org.apache.hc.core5.http.ParseException {
        int status = response.getCode();
        String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
        String code = "http_" + status;
        String message = body;
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.hasNonNull("error")) {
                code = json.get("error").asText();
                message = json.path("message").asText(body);
            }
        } catch (IOException notJson) {
            // keep the raw body as the message
        }
        String what = request.getMethod() + " " + request.getRequestUri() + ": " + message;
        return status >= 500 ? new RegistryUnavailableException(status, what, null) : new RegistryException(status, code, what);
    }

    private <T> Optional<T> optional(java.util.function.Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void authorize(HttpUriRequestBase request) {
        if (apiKey != null && !apiKey.isBlank()) {
            request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + apiKey);
        }
        request.setHeader(HttpHeaders.ACCEPT, "application/json");
    }

    private static <R extends HttpUriRequestBase> R withJson(R request, JsonNode body) {
        request.setEntity(new StringEntity(body.toString(), ContentType.APPLICATION_JSON));
        return request;
    }

    private URI uri(String... segments) {
        try {
            List<String> all = new ArrayList<>(new URIBuilder(base).getPathSegments());
            all.addAll(List.of(segments));
            return new URIBuilder(base).setPathSegments(all).build();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad registry URL " + base + ": " + e.getMessage(), e);
        }
    }

    /** Hex sha256 of a file, streamed. */
    public static String sha256(Path file) {
        MessageDigest md = sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f, e);
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
