package dev.ragtune.registry.versions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.registry.adapters.Adapter;
import dev.ragtune.registry.adapters.AdapterService;
import dev.ragtune.registry.blobs.BlobStore;
import dev.ragtune.registry.config.RegistryConfig;
import dev.ragtune.registry.errors.Bodies;
import dev.ragtune.registry.errors.Checks;
import dev.ragtune.registry.events.ChangeRecorder;
import dev.ragtune.registry.events.OutboxRelay;
import dev.ragtune.registry.security.RequiresRole;
import dev.ragtune.registry.security.Role;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.security.Caller;
import io.quarkus.narayana.jta.QuarkusTransaction;

@Path("/v1/adapters/{name}/versions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "versions")
public class VersionResource {

    /** A file of a version with the URL it is downloaded from. */
    public record FileView(String name, String sha256, long size, String url) {
    }

    /** A version as the API shows it. */
    public record VersionView(String adapter, int version, String status, JsonNode manifest, Integer parentVersion,
                              List<FileView> files, List<String> aliases, String createdBy, Instant createdAt,
                              String archivedBy, Instant archivedAt) {
    }

    @Inject
    VersionService versions;

    @Inject
    AdapterService adapters;

    @Inject
    BlobStore blobs;

    @Inject
    RegistryConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    ChangeRecorder changes;

    @Inject
    OutboxRelay relay;

    @Inject
    Caller caller;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @RequiresRole(Role.PUBLISHER)
    @Operation(summary = "Register version N+1: multipart with a 'manifest' JSON part and one part per file, named after the file")
    public Response register(@PathParam("name") String name, MultipartFormDataInput input) {
        Adapter adapter = QuarkusTransaction.requiringNew().call(() -> adapters.find(name));
        Map<String, Collection<FormValue>> parts = input == null ? Map.of() : input.getValues();
        Manifest manifest = Manifest.parse(manifestText(parts.get("manifest")), config.maxManifestBytes(), json);
        if (manifest.parentVersion() != null && manifest.parentVersion() > adapter.latestVersion) {
            throw ApiException.unprocessable("manifest parentVersion " + manifest.parentVersion() + " does not exist for adapter '"
                    + name + "' (latest is " + adapter.latestVersion + ")");
        }
        Map<String, FormValue> files = new LinkedHashMap<>();
        for (var e : parts.entrySet()) {
            if (e.getKey().equals("manifest")) {
                continue;
            }
            Checks.fileName(e.getKey());
            if (e.getValue().size() != 1) {
                throw ApiException.badRequest("file '" + e.getKey() + "' was uploaded " + e.getValue().size() + " times");
            }
            files.put(e.getKey(), e.getValue().iterator().next());
        }
        if (files.isEmpty()) {
            throw ApiException.badRequest("no file parts: upload each file as a multipart part named after the file");
        }
        for (String listed : manifest.files().keySet()) {
            if (!files.containsKey(listed)) {
                throw ApiException.badRequest("manifest lists file '" + listed + "' but no part named '" + listed + "' was uploaded");
            }
        }

        List<BlobStore.Staged> staged = new ArrayList<>();
        List<VersionService.StoredFile> stored = new ArrayList<>();
        try {
            for (var e : files.entrySet()) {
                BlobStore.Staged s;
                try (InputStream in = content(e.getValue())) {
                    s = blobs.stage(in);
                }
                staged.add(s);
                Manifest.Expected expected = manifest.files().get(e.getKey());
                if (expected != null && expected.sha256() != null && !expected.sha256().equals(s.sha256())) {
                    throw ApiException.unprocessable("sha256 mismatch for file '" + e.getKey() + "': manifest says " + expected.sha256()
                            + ", uploaded bytes have " + s.sha256() + "; nothing was stored");
                }
                if (expected != null && expected.size() != null && expected.size() != s.size()) {
                    throw ApiException.unprocessable("size mismatch for file '" + e.getKey() + "': manifest says " + expected.size()
                            + " bytes, uploaded " + s.size() + "; nothing was stored");
                }
                stored.add(new VersionService.StoredFile(e.getKey(), s.sha256(), s.size()));
            }
            for (BlobStore.Staged s : staged) {
                blobs.commit(s);
            }
            staged.clear();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store upload: " + e.getMessage(), e);
        } finally {
            staged.forEach(blobs::discard);
        }
        AdapterVersion v = versions.register(name, manifest, stored, caller.actor());
        relay.wakeUp();
        VersionView view = QuarkusTransaction.requiringNew().call(() -> view(adapters.find(name), versions.find(adapters.find(name), v.version)));
        return Response.created(URI.create("/v1/adapters/" + name + "/versions/" + v.version)).entity(view).build();
    }

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "List the versions of an adapter")
    public List<VersionView> list(@PathParam("name") String name) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Adapter a = adapters.find(name);
            return versions.list(a).stream().map(v -> view(a, v)).toList();
        });
    }

    @GET
    @Path("/{v}")
    @RequiresRole(Role.READER)
    @Operation(summary = "One version with its manifest, files and aliases")
    public VersionView get(@PathParam("name") String name, @PathParam("v") String v) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Adapter a = adapters.find(name);
            return view(a, versions.require(a, Checks.version(v, name)));
        });
    }

    @GET
    @Path("/{v}/files/{file}")
    @Produces(MediaType.WILDCARD)
    @RequiresRole(Role.READER)
    @Operation(summary = "Download a file of a version; ETag is its sha256; single byte ranges are supported")
    public Response download(@PathParam("name") String name, @PathParam("v") String v, @PathParam("file") String file,
                             @HeaderParam("Range") String range, @HeaderParam("If-None-Match") String ifNoneMatch,
                             @HeaderParam("If-Range") String ifRange) {
        VersionFile f = QuarkusTransaction.requiringNew().call(() -> {
            Adapter a = adapters.find(name);
            AdapterVersion ver = versions.require(a, Checks.version(v, name));
            return versions.files(ver).stream().filter(x -> x.name.equals(file)).findFirst()
                    .orElseThrow(() -> ApiException.notFound("file '" + Checks.abbreviate(file) + "' not found in version " + ver.version
                            + " of adapter '" + name + "'"));
        });
        String etag = "\"" + f.sha256 + "\"";
        if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*") || ifNoneMatch.contains(f.sha256))) {
            return Response.notModified().header(HttpHeaders.ETAG, etag).build();
        }
        ByteRange r = ByteRange.parse(range, f.size);
        if (r != null && ifRange != null && !ifRange.contains(f.sha256)) {
            r = null; // the client's copy is a different file: send it whole
        }
        long start = r == null ? 0 : r.start();
        long length = r == null ? f.size : r.length();
        String sha = f.sha256;
        StreamingOutput body = out -> {
            try (InputStream in = blobs.open(sha, start, length)) {
                in.transferTo(out);
            }
        };
        Response.ResponseBuilder rb = Response.status(r == null ? 200 : 206)
                .entity(body)
                .type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(HttpHeaders.ETAG, etag)
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.CONTENT_LENGTH, length)
                .header("Content-Disposition", "attachment; filename=\"" + f.name + "\"");
        if (r != null) {
            rb.header("Content-Range", "bytes " + r.start() + "-" + r.end() + "/" + f.size);
        }
        return rb.build();
    }

    @POST
    @Path("/{v}/archive")
    @Consumes(MediaType.WILDCARD)
    @RequiresRole(Role.OPS)
    @Operation(summary = "Archive a version (optional body {reason}); refused while an alias points at it")
    public VersionView archive(@PathParam("name") String name, @PathParam("v") String v, String body) {
        String reason = Bodies.optionalText(Bodies.optionalObject(body, json), "reason");
        int version = Checks.version(v, name);
        versions.archive(name, version, reason, caller.actor());
        relay.wakeUp();
        return get(name, v);
    }

    VersionView view(Adapter a, AdapterVersion v) {
        JsonNode manifest;
        try {
            manifest = json.readTree(v.manifest);
        } catch (JsonProcessingException e) {
            manifest = json.createObjectNode();
        }
        List<FileView> files = versions.files(v).stream()
                .map(f -> new FileView(f.name, f.sha256, f.size, changes.fileUrl(a.name, v.version, f.name))).toList();
        return new VersionView(a.name, v.version, v.status.name(), manifest, v.parentVersion, files, versions.aliasesOf(a, v.version),
                v.createdBy, v.createdAt, v.archivedBy, v.archivedAt);
    }

    private String manifestText(Collection<FormValue> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.badRequest("more than one 'manifest' part");
        }
        FormValue fv = values.iterator().next();
        try {
            if (fv.isFileItem()) {
                long size = fv.getFileItem().getFileSize();
                if (size > config.maxManifestBytes()) {
                    throw ApiException.badRequest("manifest is " + size + " bytes, more than the limit of " + config.maxManifestBytes()
                            + " bytes (ragtune.registry.max-manifest-bytes)");
                }
                try (InputStream in = fv.getFileItem().getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return fv.getValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream content(FormValue fv) throws IOException {
        if (fv.isFileItem()) {
            return fv.getFileItem().getInputStream();
        }
        Charset cs = fv.getCharset() == null ? StandardCharsets.UTF_8 : Charset.forName(fv.getCharset());
        return new java.io.ByteArrayInputStream(fv.getValue().getBytes(cs));
    }
}
