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
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ragtune.embedded.KafkaBroker;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Acceptance 1: the whole API against a real PostgreSQL and Kafka, including a 50 MB upload and ranged download. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryApiTest {

    static final String BASE = "llama-mini";
    static final String ADAPTER = "support-bot";
    static final int BIG = 50 * 1024 * 1024 + 123;

    @InjectEmbedded
    KafkaBroker kafka;

    static Path bigFile;
    static String bigSha;
    static final byte[] CONFIG = "{\"r\": 8, \"lora_alpha\": 16, \"target_modules\": [\"q_proj\", \"v_proj\"]}".getBytes();

    @BeforeAll
    static void makeBigFile() throws Exception {
        bigFile = Files.createTempFile("adapter-", ".safetensors");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(bigFile)) {
            long left = BIG;
            while (left > 0) {
                random.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                md.update(buf, 0, n);
                left -= n;
            }
        }
        bigSha = HexFormat.of().formatHex(md.digest());
    }

    @AfterAll
    static void removeBigFile() throws IOException {
        Files.deleteIfExists(bigFile);
    }

    @Test
    @Order(1)
    void baseModels() {
        as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("id", BASE, "architecture", "LlamaForCausalLM", "checkpointLocation", "/models/llama-mini",
                        "sha256", "B".repeat(64)))
                .post("/v1/base-models")
                .then().statusCode(201)
                .header("Location", containsString("/v1/base-models/" + BASE))
                .body("id", equalTo(BASE))
                .body("sha256", equalTo("b".repeat(64)))
                .body("createdBy", equalTo("test-publisher"));
        as(READER).get("/v1/base-models/" + BASE).then().statusCode(200)
                .body("architecture", equalTo("LlamaForCausalLM"))
                .body("checkpointLocation", org.hamcrest.Matchers.nullValue()); // a server path: publishers and admins only
        as(PUBLISHER).get("/v1/base-models/" + BASE).then().statusCode(200)
                .body("checkpointLocation", equalTo("/models/llama-mini"));
        List<String> ids = as(READER).get("/v1/base-models").then().statusCode(200).extract().jsonPath().getList("id");
        assertThat(ids).contains(BASE);
    }

    @Test
    @Order(2)
    void adapters() {
        as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("name", ADAPTER, "baseModel", BASE, "description", "answers support tickets",
                        "tags", Map.of("team", "support", "lang", "en")))
                .post("/v1/adapters")
                .then().statusCode(201)
                .header("Location", containsString("/v1/adapters/" + ADAPTER))
                .body("name", equalTo(ADAPTER))
                .body("baseModel", equalTo(BASE))
                .body("tags.team", equalTo("support"))
                .body("latestVersion", equalTo(0));
        as(READER).get("/v1/adapters/" + ADAPTER).then().statusCode(200)
                .body("description", equalTo("answers support tickets"))
                .body("tags.lang", equalTo("en"));
        List<String> names = as(READER).get("/v1/adapters").then().statusCode(200).extract().jsonPath().getList("name");
        assertThat(names).contains(ADAPTER);
    }

    @Test
    @Order(3)
    void uploadFiftyMegabytesAndDownloadRanges() throws Exception {
        String configSha = sha(CONFIG);
        String manifest = """
                {"files": [{"name": "adapter_model.safetensors", "sha256": "%s"}, {"name": "adapter_config.json", "sha256": "%s"}],
                 "training": {"records": 1200, "fromOffset": 0, "toOffset": 1199},
                 "hyperparameters": {"rank": 8, "alpha": 16, "lr": 0.0002},
                 "metrics": {"evalSet": "support-v1", "eval_loss": 0.80, "exact_match": 0.40},
                 "trainerVersion": "0.1.0"}
                """.formatted(bigSha, configSha);
        Response r = as(PUBLISHER)
                .multiPart("manifest", manifest, "application/json")
                .multiPart("adapter_model.safetensors", bigFile.toFile(), "application/octet-stream")
                .multiPart("adapter_config.json", "adapter_config.json", CONFIG, "application/octet-stream")
                .post("/v1/adapters/" + ADAPTER + "/versions");
        r.then().statusCode(201)
                .header("Location", containsString("/v1/adapters/" + ADAPTER + "/versions/1"))
                .body("version", equalTo(1))
                .body("status", equalTo("ACTIVE"))
                .body("createdBy", equalTo("test-publisher"))
                .body("manifest.metrics.evalSet", equalTo("support-v1"))
                .body("manifest.training.records", equalTo(1200));
        List<Map<String, Object>> files = r.jsonPath().getList("files");
        assertThat(files).extracting(f -> f.get("name")).containsExactly("adapter_config.json", "adapter_model.safetensors");
        Map<String, Object> big = files.get(1);
        assertThat(big.get("sha256")).isEqualTo(bigSha);
        assertThat(((Number) big.get("size")).longValue()).isEqualTo(BIG);
        assertThat(big.get("url")).isEqualTo("http://registry.test:8081/v1/adapters/support-bot/versions/1/files/adapter_model.safetensors");

        // the whole small file, with the sha256 as ETag
        Response small = as(READER).get("/v1/adapters/" + ADAPTER + "/versions/1/files/adapter_config.json");
        small.then().statusCode(200).header("ETag", "\"" + configSha + "\"").header("Accept-Ranges", "bytes");
        assertThat(small.asByteArray()).isEqualTo(CONFIG);

        // a 1 MiB range in the middle of the 50 MB file
        long start = 20_000_000;
        long end = start + (1 << 20) - 1;
        Response ranged = as(READER).header("Range", "bytes=" + start + "-" + end)
                .get("/v1/adapters/" + ADAPTER + "/versions/1/files/adapter_model.safetensors");
        ranged.then().statusCode(206)
                .header("Content-Range", "bytes " + start + "-" + end + "/" + BIG)
                .header("Content-Length", String.valueOf(end - start + 1))
                .header("ETag", "\"" + bigSha + "\"");
        assertThat(ranged.asByteArray()).isEqualTo(slice(bigFile, start, end - start + 1));

        // suffix range: the last 1000 bytes
        Response suffix = as(READER).header("Range", "bytes=-1000")
                .get("/v1/adapters/" + ADAPTER + "/versions/1/files/adapter_model.safetensors");
        suffix.then().statusCode(206).header("Content-Range", "bytes " + (BIG - 1000) + "-" + (BIG - 1) + "/" + BIG);
        assertThat(suffix.asByteArray()).isEqualTo(slice(bigFile, BIG - 1000, 1000));

        // the whole 50 MB file streams back identical
        try (InputStream in = as(READER).get("/v1/adapters/" + ADAPTER + "/versions/1/files/adapter_model.safetensors")
                .then().statusCode(200).extract().asInputStream()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                total += n;
            }
            assertThat(total).isEqualTo(BIG);
            assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo(bigSha);
        }

        // conditional and unsatisfiable requests
        as(READER).header("If-None-Match", "\"" + bigSha + "\"")
                .get("/v1/adapters/" + ADAPTER + "/versions/1/files/adapter_model.safetensors").then().statusCode(304);
        as(READER).header("Range", "bytes=" + BIG + "-")
                .get("/v1/adapters/" + ADAPTER + "/versions/1/files/adapter_model.safetensors")
                .then().statusCode(416).body("error", equalTo("range_not_satisfiable"))
                .body("message", containsString(String.valueOf(BIG)));
    }

    @Test
    @Order(4)
    void moreVersionsListAndGet() {
        int v2 = Api.upload(PUBLISHER, ADAPTER, """
                {"parentVersion": 1, "metrics": {"evalSet": "support-v1", "eval_loss": 0.60, "exact_match": 0.55}}""",
                "adapter_model.safetensors", "v2 weights".getBytes()).then().statusCode(201).extract().path("version");
        int v3 = Api.upload(PUBLISHER, ADAPTER, """
                {"parentVersion": 2, "metrics": {"evalSet": "support-v1", "eval_loss": 0.95, "exact_match": 0.30}}""",
                "adapter_model.safetensors", "v3 weights".getBytes()).then().statusCode(201).extract().path("version");
        assertThat(List.of(v2, v3)).containsExactly(2, 3);
        List<Integer> versions = as(READER).get("/v1/adapters/" + ADAPTER + "/versions").then().statusCode(200)
                .extract().jsonPath().getList("version");
        assertThat(versions).containsExactly(1, 2, 3);
        as(READER).get("/v1/adapters/" + ADAPTER + "/versions/2").then().statusCode(200)
                .body("parentVersion", equalTo(1))
                .body("manifest.metrics.exact_match", equalTo(0.55f))
                .body("files[0].sha256", equalTo(sha("v2 weights".getBytes())));
        as(READER).get("/v1/adapters/" + ADAPTER).then().body("latestVersion", equalTo(3));
    }

    @Test
    @Order(5)
    void promotionGateForceAndRollback() {
        Api.setAlias(ADAPTER, "production", Map.of("version", 2, "reason", "first release")).then().statusCode(200)
                .body("version", equalTo(2)).body("changed", equalTo(true));
        // v3 is worse on the same eval set: refused
        Api.setAlias(ADAPTER, "production", Map.of("version", 3, "reason", "try")).then().statusCode(409)
                .body("error", equalTo("conflict"))
                .body("message", containsString("eval_loss 0.95 > 0.6"))
                .body("message", containsString("exact_match 0.3 < 0.55"));
        // force without a reason is refused
        Api.setAlias(ADAPTER, "production", Map.of("version", 3, "force", true)).then().statusCode(400)
                .body("message", containsString("force requires a reason"));
        // force with a reason goes through and is recorded
        Api.setAlias(ADAPTER, "production", Map.of("version", 3, "force", true, "reason", "hotfix for ticket 42"))
                .then().statusCode(200).body("forced", equalTo(true)).body("previousVersion", equalTo(2));
        // rollback returns production to 2
        as(OPS).contentType(ContentType.JSON).body(Map.of("reason", "v3 misbehaves"))
                .post("/v1/adapters/" + ADAPTER + "/aliases/production/rollback")
                .then().statusCode(200).body("version", equalTo(2)).body("previousVersion", equalTo(3));
        as(READER).get("/v1/adapters/" + ADAPTER).then().body("aliases.production", equalTo(2));
        // nothing left to roll back to
        as(OPS).post("/v1/adapters/" + ADAPTER + "/aliases/production/rollback").then().statusCode(409)
                .body("message", containsString("no previous version"));
    }

    @Test
    @Order(6)
    void otherAliasesDeleteAndRestore() {
        Api.setAlias(ADAPTER, "staging", Map.of("version", 1, "reason", "qa")).then().statusCode(200).body("previousVersion", equalTo(null));
        Api.setAlias(ADAPTER, "staging", Map.of("version", 1)).then().statusCode(200).body("changed", equalTo(false));
        as(OPS).delete("/v1/adapters/" + ADAPTER + "/aliases/staging?reason=done").then().statusCode(200)
                .body("previousVersion", equalTo(1));
        as(READER).get("/v1/adapters/" + ADAPTER).then().body("aliases.staging", equalTo(null));
        as(OPS).delete("/v1/adapters/" + ADAPTER + "/aliases/staging").then().statusCode(404)
                .body("message", containsString("alias 'staging'"));
        as(OPS).post("/v1/adapters/" + ADAPTER + "/aliases/staging/rollback").then().statusCode(200).body("version", equalTo(1));
        as(READER).get("/v1/adapters/" + ADAPTER).then().body("aliases.staging", equalTo(1));
    }

    @Test
    @Order(7)
    void archive() {
        as(OPS).contentType(ContentType.JSON).body(Map.of("reason", "superseded"))
                .post("/v1/adapters/" + ADAPTER + "/versions/3/archive")
                .then().statusCode(200).body("status", equalTo("ARCHIVED")).body("archivedBy", equalTo("test-ops"));
        Api.setAlias(ADAPTER, "canary", Map.of("version", 3)).then().statusCode(409)
                .body("message", containsString("version 3 of adapter 'support-bot' is archived"));
        as(OPS).post("/v1/adapters/" + ADAPTER + "/versions/2/archive").then().statusCode(409)
                .body("message", containsString("production"));
        as(OPS).post("/v1/adapters/" + ADAPTER + "/versions/3/archive").then().statusCode(409)
                .body("message", containsString("already archived"));
        // the archived version's files stay downloadable
        as(READER).get("/v1/adapters/" + ADAPTER + "/versions/3/files/adapter_model.safetensors").then().statusCode(200);
    }

    @Test
    @Order(8)
    void historyAndEventsTellTheSameStory() {
        List<Map<String, Object>> history = as(READER).get("/v1/adapters/" + ADAPTER + "/history").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(history).extracting(h -> h.get("type") + ":" + h.get("alias") + ":" + h.get("fromVersion") + "->" + h.get("toVersion"))
                .containsExactly(
                        "VERSION_REGISTERED:null:null->1",
                        "VERSION_REGISTERED:null:1->2",
                        "VERSION_REGISTERED:null:2->3",
                        "ALIAS_SET:production:null->2",
                        "ALIAS_SET:production:2->3",
                        "ALIAS_SET:production:3->2",
                        "ALIAS_SET:staging:null->1",
                        "ALIAS_REMOVED:staging:1->null",
                        "ALIAS_SET:staging:null->1",
                        "VERSION_ARCHIVED:null:null->3");
        Map<String, Object> forced = history.get(4);
        assertThat(forced.get("forced")).isEqualTo(true);
        assertThat((String) forced.get("reason")).contains("hotfix for ticket 42");
        assertThat(forced.get("actor")).isEqualTo("test-ops");
        assertThat(history.get(5).get("rollback")).isEqualTo(true);
        assertThat(history.get(5).get("reason")).isEqualTo("v3 misbehaves");

        List<String> historyIds = history.stream().map(h -> (String) h.get("eventId")).toList();
        List<Events.Received> events = Events.await(kafka.bootstrapServers(), ADAPTER, got -> got.size() >= historyIds.size(),
                Duration.ofSeconds(60));
        assertThat(events).extracting(Events.Received::eventId).containsExactlyElementsOf(historyIds);

        var registered = events.get(0).event();
        assertThat(registered.get("type").asText()).isEqualTo("VERSION_REGISTERED");
        assertThat(registered.get("adapter").asText()).isEqualTo(ADAPTER);
        assertThat(registered.get("version").asInt()).isEqualTo(1);
        assertThat(registered.get("baseModel").asText()).isEqualTo(BASE);
        assertThat(registered.get("actor").asText()).isEqualTo("test-publisher");
        assertThat(registered.get("occurredAt").asText()).isNotBlank();
        assertThat(registered.get("files")).hasSize(2);
        var file = registered.get("files").get(1);
        assertThat(file.get("name").asText()).isEqualTo("adapter_model.safetensors");
        assertThat(file.get("sha256").asText()).isEqualTo(bigSha);
        assertThat(file.get("size").asLong()).isEqualTo(BIG);
        assertThat(file.get("url").asText()).endsWith("/v1/adapters/support-bot/versions/1/files/adapter_model.safetensors");

        var promoted = events.get(4).event();
        assertThat(promoted.get("type").asText()).isEqualTo("ALIAS_SET");
        assertThat(promoted.get("alias").asText()).isEqualTo("production");
        assertThat(promoted.get("version").asInt()).isEqualTo(3);
        assertThat(promoted.get("previousVersion").asInt()).isEqualTo(2);
        assertThat(promoted.get("files").get(0).get("sha256").asText()).isEqualTo(sha("v3 weights".getBytes()));
        var removed = events.get(7).event();
        assertThat(removed.get("type").asText()).isEqualTo("ALIAS_REMOVED");
        assertThat(removed.get("version").isNull()).isTrue();
        assertThat(removed.get("previousVersion").asInt()).isEqualTo(1);
        assertThat(events.get(9).type()).isEqualTo("VERSION_ARCHIVED");
        assertThat(events).allSatisfy(e -> assertThat(e.key()).isEqualTo(ADAPTER));
    }

    @Test
    @Order(9)
    void operationsEndpoints() {
        as(null).get("/q/health/ready").then().statusCode(200).body(containsString("outbox-relay"));
        as(null).get("/q/openapi").then().statusCode(200).body(containsString("/v1/adapters/{name}/aliases/{alias}"));
        as(null).get("/q/swagger-ui/").then().statusCode(200);
        as(EmbeddedServices.METRICS).get("/q/metrics").then().statusCode(200).body(containsString("ragtune_registry_outbox_relayed"));
        // with ragtune.metrics.key set, nothing else reads the metrics: no key, or an API key, is a 401 with the error body
        as(null).get("/q/metrics").then().statusCode(401).body("error", equalTo("unauthorized"));
        as(ADMIN).get("/q/metrics").then().statusCode(401).body("error", equalTo("unauthorized"));
        as(null).get("/q/health/ready").then().statusCode(org.hamcrest.Matchers.not(401)); // the probes stay public
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] slice(Path file, long start, long length) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            var buf = java.nio.ByteBuffer.allocate((int) length);
            ch.read(buf, start);
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }
}
