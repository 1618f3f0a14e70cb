package dev.ragtune.registry;

import static dev.ragtune.registry.Api.as;
import static dev.ragtune.registry.EmbeddedServices.ADMIN;
import static dev.ragtune.registry.EmbeddedServices.OPS;
import static dev.ragtune.registry.EmbeddedServices.PUBLISHER;
import static dev.ragtune.registry.EmbeddedServices.READER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Acceptance 4: each bad input gets its status code and a message naming the problem; nothing is stored on failure. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BadInputTest {

    static final String ADAPTER = "bad-input-bot";

    @InjectEmbedded
    Path blobDir;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL root;

    static boolean ready;

    @BeforeEach
    void setUp() {
        if (ready) {
            return;
        }
        ready = true;
        if (as(READER).get("/v1/adapters/" + ADAPTER).statusCode() == 404) {
            Api.baseModel("bad-input-base");
            Api.adapter(ADAPTER, "bad-input-base");
            Api.version(ADAPTER, "{}");
        }
    }

    static ValidatableResponse error(ValidatableResponse r, int status, String code, String... messageParts) {
        r.statusCode(status).contentType(ContentType.JSON).body("error", equalTo(code));
        for (String part : messageParts) {
            r.body("message", containsString(part));
        }
        return r;
    }

    @Test
    void unknownThingsAre404() {
        error(as(READER).get("/v1/adapters/no-such-adapter").then(), 404, "not_found", "adapter 'no-such-adapter' not found");
        error(as(READER).get("/v1/adapters/no-such-adapter/versions").then(), 404, "not_found", "adapter 'no-such-adapter'");
        error(as(READER).get("/v1/adapters/no-such-adapter/history").then(), 404, "not_found", "adapter 'no-such-adapter'");
        error(as(READER).get("/v1/base-models/no-such-base").then(), 404, "not_found", "base model 'no-such-base' not found");
        error(as(READER).get("/v1/adapters/" + ADAPTER + "/versions/99").then(), 404, "not_found", "version 99 of adapter '" + ADAPTER + "'");
        error(as(READER).get("/v1/adapters/" + ADAPTER + "/versions/abc").then(), 404, "not_found", "version 'abc'");
        error(as(READER).get("/v1/adapters/" + ADAPTER + "/versions/1/files/missing.bin").then(), 404, "not_found", "file 'missing.bin'");
        error(as(READER).get("/v1/adapters/" + ADAPTER + "/versions/42/files/adapter_model.safetensors").then(), 404, "not_found", "version 42");
        error(Api.setAlias(ADAPTER, "production", Map.of("version", 99)).then(), 404, "not_found", "version 99");
        error(Api.setAlias("no-such-adapter", "production", Map.of("version", 1)).then(), 404, "not_found", "adapter 'no-such-adapter'");
        error(as(OPS).post("/v1/adapters/" + ADAPTER + "/versions/99/archive").then(), 404, "not_found", "version 99");
        error(as(OPS).post("/v1/adapters/" + ADAPTER + "/aliases/never-set/rollback").then(), 404, "not_found", "alias 'never-set'");
        error(Api.upload(PUBLISHER, "no-such-adapter", "{}", "a.bin", new byte[] {1}).then(), 404, "not_found", "adapter 'no-such-adapter'");
        error(as(READER).get("/v1/nothing-here").then(), 404, "not_found");
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("name", "orphan-bot", "baseModel", "no-such-base"))
                .post("/v1/adapters").then(), 404, "not_found", "base model 'no-such-base'");
    }

    @Test
    void duplicatesAre409() {
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("name", ADAPTER, "baseModel", "bad-input-base"))
                .post("/v1/adapters").then(), 409, "conflict", "adapter '" + ADAPTER + "' already exists");
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("id", "bad-input-base", "architecture", "x", "checkpointLocation", "/x"))
                .post("/v1/base-models").then(), 409, "conflict", "base model 'bad-input-base' already exists");
    }

    @Test
    void shaMismatchIs422AndStoresNothing() throws IOException {
        int latest = as(READER).get("/v1/adapters/" + ADAPTER).then().extract().path("latestVersion");
        int history = as(READER).get("/v1/adapters/" + ADAPTER + "/history").then().extract().jsonPath().getList("$").size();
        List<Path> before = blobs();
        byte[] good = ("fresh good bytes " + System.nanoTime()).getBytes();
        byte[] bad = ("bytes that do not match " + System.nanoTime()).getBytes();
        String manifest = """
                {"files": [{"name": "adapter_config.json", "sha256": "%s"},
                           {"name": "adapter_model.safetensors", "sha256": "%s"}]}""".formatted(RegistryApiTest.sha(good), "0".repeat(64));
        error(as(PUBLISHER).multiPart("manifest", manifest, "application/json")
                .multiPart("adapter_config.json", "adapter_config.json", good, "application/octet-stream")
                .multiPart("adapter_model.safetensors", "adapter_model.safetensors", bad, "application/octet-stream")
                .post("/v1/adapters/" + ADAPTER + "/versions").then(),
                422, "unprocessable", "sha256 mismatch for file 'adapter_model.safetensors'", "0".repeat(64), RegistryApiTest.sha(bad),
                "nothing was stored");
        assertThat(blobs()).as("no blob added, no temporary file left").isEqualTo(before);
        as(READER).get("/v1/adapters/" + ADAPTER).then().body("latestVersion", equalTo(latest));
        assertThat(as(READER).get("/v1/adapters/" + ADAPTER + "/history").then().extract().jsonPath().getList("$")).hasSize(history);
        // the same upload with the right sha256 registers the next version
        String right = manifest.replace("0".repeat(64), RegistryApiTest.sha(bad));
        as(PUBLISHER).multiPart("manifest", right, "application/json")
                .multiPart("adapter_config.json", "adapter_config.json", good, "application/octet-stream")
                .multiPart("adapter_model.safetensors", "adapter_model.safetensors", bad, "application/octet-stream")
                .post("/v1/adapters/" + ADAPTER + "/versions").then().statusCode(201).body("version", equalTo(latest + 1));
    }

    @Test
    void archivedVersionPromotionIs409() {
        int v = Api.version(ADAPTER, "{\"training\": {\"records\": 1}}");
        as(OPS).post("/v1/adapters/" + ADAPTER + "/versions/" + v + "/archive").then().statusCode(200);
        error(Api.setAlias(ADAPTER, "production", Map.of("version", v, "reason", "x")).then(), 409, "conflict",
                "version " + v + " of adapter '" + ADAPTER + "' is archived");
        error(Api.setAlias(ADAPTER, "production", Map.of("version", v, "reason", "x", "force", true)).then(), 409, "conflict", "archived");
    }

    @Test
    void oversizeOrMalformedManifestIs400() {
        String huge = "{\"training\": {\"notes\": \"" + "x".repeat(70_000) + "\"}}";
        error(Api.upload(PUBLISHER, ADAPTER, huge, "a.bin", new byte[] {1}).then(), 400, "bad_request",
                "manifest is 70", "more than the limit of 65536 bytes");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"files\": [", "a.bin", new byte[] {1}).then(), 400, "bad_request", "manifest is not valid JSON");
        error(Api.upload(PUBLISHER, ADAPTER, "[1, 2]", "a.bin", new byte[] {1}).then(), 400, "bad_request", "manifest must be a JSON object");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"files\": \"a.bin\"}", "a.bin", new byte[] {1}).then(), 400, "bad_request", "'files' must be an array");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"files\": [{\"sha256\": \"ab\"}]}", "a.bin", new byte[] {1}).then(), 400, "bad_request",
                "files[0].name is required");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"files\": [{\"name\": \"a.bin\", \"sha256\": \"xyz\"}]}", "a.bin", new byte[] {1}).then(),
                400, "bad_request", "files[0].sha256 'xyz' is not a sha256");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"parentVersion\": \"two\"}", "a.bin", new byte[] {1}).then(), 400, "bad_request", "parentVersion");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"metrics\": [1]}", "a.bin", new byte[] {1}).then(), 400, "bad_request", "'metrics' must be a JSON object");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"files\": [{\"name\": \"other.bin\"}]}", "a.bin", new byte[] {1}).then(), 400, "bad_request",
                "manifest lists file 'other.bin' but no part named 'other.bin'");
        error(as(PUBLISHER).multiPart("manifest", "{}", "application/json").post("/v1/adapters/" + ADAPTER + "/versions").then(),
                400, "bad_request", "no file parts");
        error(Api.upload(PUBLISHER, ADAPTER, "{\"parentVersion\": 999}", "a.bin", new byte[] {1}).then(), 422, "unprocessable",
                "parentVersion 999 does not exist");
    }

    @Test
    void badRequestBodiesAre400() {
        error(as(PUBLISHER).contentType(ContentType.JSON).body("{\"name\": ").post("/v1/adapters").then(), 400, "bad_request", "JSON");
        error(as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("name", "Bad Name!", "baseModel", "bad-input-base"))
                .post("/v1/adapters").then(), 400, "bad_request", "adapter name 'Bad Name!' is invalid");
        error(as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("name", "tagged", "baseModel", "bad-input-base", "tags", List.of("a")))
                .post("/v1/adapters").then(), 400, "bad_request", "tags must be a JSON object");
        error(as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("id", "x1", "architecture", "a", "checkpointLocation", "/x", "sha256", "nope"))
                .post("/v1/base-models").then(), 400, "bad_request", "sha256 'nope' is not a sha256");
        error(Api.setAlias(ADAPTER, "production", Map.of("reason", "no version")).then(), 400, "bad_request", "version is required");
        error(Api.setAlias(ADAPTER, "production", Map.of("version", "one")).then(), 400, "bad_request", "version must be a positive integer");
        error(Api.setAlias(ADAPTER, "Bad Alias", Map.of("version", 1)).then(), 400, "bad_request", "alias 'Bad Alias' is invalid");
        error(as(ADMIN).contentType(ContentType.JSON).body("{oops").put("/v1/adapters/" + ADAPTER + "/aliases/production").then(),
                400, "bad_request", "not valid JSON");
    }

    /** What PostgreSQL cannot store is a 400 naming the field, not a 409 "already exists"; nothing is created. */
    @Test
    void textsThatCannotBeStoredAre400AndCreateNothing() {
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("id", "nul-base", "architecture", "x", "checkpointLocation", "/x", "description", "a\u0000b"))
                .post("/v1/base-models").then(), 400, "bad_request", "description", "NUL");
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("id", "long-base", "architecture", "A".repeat(129), "checkpointLocation", "/x"))
                .post("/v1/base-models").then(), 400, "bad_request", "architecture", "longer than 128");
        error(as(READER).get("/v1/base-models/nul-base").then(), 404, "not_found");
        error(as(READER).get("/v1/base-models/long-base").then(), 404, "not_found");
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("name", "nul-bot", "baseModel", "bad-input-base", "description", "a\u0000b"))
                .post("/v1/adapters").then(), 400, "bad_request", "description", "NUL");
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("name", "nul-bot", "baseModel", "bad-input-base", "tags", Map.of("team", "a\u0000b")))
                .post("/v1/adapters").then(), 400, "bad_request", "tags.team", "NUL");
        error(as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("name", "nul-bot", "baseModel", "bad-input-base", "description", "d".repeat(10_001)))
                .post("/v1/adapters").then(), 400, "bad_request", "description", "longer than 10000");
        error(as(READER).get("/v1/adapters/nul-bot").then(), 404, "not_found");
        error(Api.setAlias(ADAPTER, "production", Map.of("version", 1, "reason", "a\u0000b")).then(), 400, "bad_request", "reason", "NUL");
    }

    /** A value of the wrong type, an array for an object, an oversized body: the error body, naming the field. */
    @Test
    void typeMismatchesAndOversizedBodiesGetTheErrorBody() throws Exception {
        error(as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("id", List.of("a"), "architecture", "x", "checkpointLocation", "/x"))
                .post("/v1/base-models").then(), 400, "bad_request", "id must be a string");
        error(as(PUBLISHER).contentType(ContentType.JSON).body("[1, 2]").post("/v1/base-models").then(), 400, "bad_request",
                "request body must be a JSON object");
        error(as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("name", 5, "baseModel", Map.of("a", 1)))
                .post("/v1/adapters").then(), 400, "bad_request", "baseModel must be a string");
        String response = rawExchange(root, "POST /v1/adapters/" + ADAPTER + "/versions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + PUBLISHER + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000000000\r\n\r\n--x");
        assertThat(response).startsWith("HTTP/1.1 413").contains("\"error\":\"payload_too_large\"").contains("limit");
    }

    /** Sends {@code head} on a raw socket and reads the answer until the server closes (at most 30 s). */
    static String rawExchange(java.net.URL root, String head) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            return got.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Readers see base models without the server's checkpoint paths; readiness shows no paths or exception names. */
    @Test
    void readersAndProbesSeeNoServerPaths() {
        as(READER).get("/v1/base-models/bad-input-base").then().statusCode(200).body("checkpointLocation", org.hamcrest.Matchers.nullValue());
        assertThat(as(READER).get("/v1/base-models").asString()).doesNotContain("/models/");
        as(PUBLISHER).get("/v1/base-models/bad-input-base").then().statusCode(200).body("checkpointLocation", equalTo("/models/bad-input-base"));
        String ready = as(null).get("/q/health/ready").asString();
        assertThat(ready).doesNotContainPattern("(?i)exception|/tmp/|/home/|java\\.");
    }

    private List<Path> blobs() throws IOException {
        try (var walk = Files.walk(blobDir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
