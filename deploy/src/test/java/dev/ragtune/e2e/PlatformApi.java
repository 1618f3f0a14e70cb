package dev.ragtune.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.cli.platform.LocalPlatform;
import dev.ragtune.common.registry.RegistryClient;

/**
 * The three services' HTTP APIs as the end-to-end test uses them, each call with the role's key from the platform's
 * {@code api-keys.json}. Waits poll until a condition holds, bounded generously, and fail with what they saw last.
 */
final class PlatformApi {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Upper bound of every wait: a job on a machine shared by several builds took 20+ minutes once. Below the test
     * methods' {@code @Timeout} (25 min), so a wait that gives up fails with what it saw last rather than an interrupt.
     */
    static final Duration PATIENCE = Duration.ofMinutes(20);

    record Reply(int status, JsonNode body) {
    }

    private final LocalPlatform platform;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PlatformApi(LocalPlatform platform) {
        this.platform = platform;
    }

    RegistryClient registry(String role) {
        return new RegistryClient(platform.registryUrl(), platform.keys().get(role));
    }

    void ingest(String id, String markdown) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("id", id).put("text", markdown);
        Reply r = call("POST", platform.ragUrl(), "/v1/documents", "ingest", body);
        expect(r, 200, 201);
    }

    JsonNode document(String id) throws Exception {
        return expect(call("GET", platform.ragUrl(), "/v1/documents/" + id, "ingest", null), 200);
    }

    JsonNode retrieve(String query) throws Exception {
        Reply r = call("POST", platform.ragUrl(), "/v1/retrieve", "query", JSON.createObjectNode().put("query", query).put("topK", 3));
        return expect(r, 200);
    }

    Reply askRaw(String question, String adapter) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("question", question).put("adapter", adapter).put("maxTokens", 24)
                .put("temperature", 0.0);
        return call("POST", platform.ragUrl(), "/v1/query", "query", body);
    }

    JsonNode ask(String question, String adapter) throws Exception {
        return expect(askRaw(question, adapter), 200);
    }

    /** Asks until the answer comes from {@code version} of the adapter (the alias change travels through Kafka). */
    JsonNode awaitServedVersion(String question, String adapter, int version) throws Exception {
        Reply last = null;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            last = askRaw(question, adapter);
            if (last.status() == 200 && last.body().path("adapter").path("version").asInt() == version) {
                return last.body();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("rag-service never answered with " + adapter + " version " + version + "; last reply " + last);
    }

    void awaitStoredRecords(String adapter, long n) throws Exception {
        long seen = -1;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode list = expect(call("GET", platform.workerUrl(), "/v1/datasets", "reader", null), 200);
            seen = 0;
            for (JsonNode d : list) {
                if (d.path("adapter").asText().equals(adapter)) {
                    seen = d.path("recordsTotal").asLong();
                }
            }
            if (seen == n) {
                return;
            }
            if (seen > n) {
                throw new AssertionError("the worker stored " + seen + " records of " + adapter + ", expected " + n + " (duplicates?)");
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the worker stored " + seen + " records of " + adapter + ", expected " + n);
    }

    JsonNode startJob(String adapter) throws Exception {
        return expect(call("POST", platform.workerUrl(), "/v1/jobs", "ops", JSON.createObjectNode().put("adapter", adapter)), 202);
    }

    JsonNode job(String id) throws Exception {
        return expect(call("GET", platform.workerUrl(), "/v1/jobs/" + id, "reader", null), 200);
    }

    JsonNode awaitJobEnd(String id) throws Exception {
        return awaitJob(id, j -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(j.path("status").asText()));
    }

    /** Waits until the job's training has done {@code steps} optimizer steps (or ended). */
    JsonNode awaitTrainingStep(String id, int steps) throws Exception {
        return awaitJob(id, j -> j.path("progress").path("step").asInt() >= steps || !j.path("finishedAt").isNull());
    }

    private JsonNode awaitJob(String id, java.util.function.Predicate<JsonNode> done) throws Exception {
        JsonNode j = job(id);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.test(j) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            j = job(id);
        }
        if (!done.test(j)) {
            throw new AssertionError("job " + id + " did not get there: " + j);
        }
        return j;
    }

    private Reply call(String method, URI base, String path, String role, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + platform.keys().get(role)).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Reply(r.statusCode(), parsed);
    }

    private static JsonNode expect(Reply r, int... statuses) {
        for (int s : statuses) {
            if (r.status() == s) {
                return r.body();
            }
        }
        throw new AssertionError("HTTP " + r.status() + ", expected " + java.util.Arrays.toString(statuses) + ": " + r.body());
    }

}
