package dev.ragtune.rag.answer;

import static dev.ragtune.rag.answer.GenerationServices.ADAPTER;
import static dev.ragtune.rag.answer.GenerationServices.INGEST;
import static dev.ragtune.rag.answer.GenerationServices.QUERY;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.rag.adapters.AdapterTable;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * {@code /v1/query}, {@code /v1/chat/completions} (plain and SSE), {@code /v1/models}, {@code /v1/feedback} and
 * {@code /v1/adapters/active} against the real stack: PostgreSQL, Kafka, the registry child process, ONNX Runtime
 * with the demo model and adapters hot-loaded from the registry, Lucene retrieval.
 */
@QuarkusTest
@WithTestResource(value = GenerationServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GenerationApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectGeneration
    GenerationFixture fixture;

    @Inject
    Optional<ServingModel> model;

    @Inject
    Optional<CitationPromptBuilder> prompts;

    @Inject
    Optional<AdapterTable> table;

    @Inject
    Optional<GenerationPool> pool;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;

    static boolean ingested;

    static RequestSpecification as(String key) {
        RequestSpecification s = given();
        return key == null ? s : s.header("Authorization", "Bearer " + key);
    }

    @BeforeAll
    static void noop() {
    }

    void ingest() {
        if (ingested) {
            return;
        }
        String[][] docs = {
                {"zorbat", "The Zorbat river", "The Zorbat river is bright green because of the algae that grow in its shallow bed. "
                        + "It flows north through the valley of Quent and ends in the Lake of Mirrors."},
                {"quent", "Quent valley", "The valley of Quent is known for its terraced tea gardens and its annual kite festival "
                        + "held in the ninth month. Farmers there grow a pale blue tea."},
                {"mirrors", "Lake of Mirrors", "The Lake of Mirrors is so still that pilots once used it to check their altimeters. "
                        + "Its water is cold all year and fed by the Zorbat river."},
        };
        for (String[] d : docs) {
            as(INGEST).contentType(ContentType.JSON).body(Map.of("id", d[0], "title", d[1], "text", d[2]))
                    .post("/v1/documents").then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200),
                            org.hamcrest.Matchers.is(201)));
        }
        ingested = true;
    }

    String greedy(BuiltPrompt prompt, int maxTokens, OrtAdapter adapter) {
        return model.orElseThrow().generator().generate(new GenerationRequest(prompt.ids(), SamplingParams.greedy(maxTokens), adapter)).text();
    }

    @Test
    void queryAnswersFromNumberedSourcesWithTheCitationPrompt() throws Exception {
        ingest();
        JsonNode r = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("question", "What colour is the Zorbat river?", "topK", 3, "maxTokens", 12, "adapter", "base"))
                .post("/v1/query").then().statusCode(200).extract().asString());
        assertThat(r.get("id").asText()).matches("[0-9a-f-]{36}");
        JsonNode sources = r.get("sources");
        assertThat(sources.size()).isBetween(1, 3);
        List<SourceChunk> chunks = new ArrayList<>();
        double previous = Double.MAX_VALUE;
        for (int i = 0; i < sources.size(); i++) {
            JsonNode s = sources.get(i);
            assertThat(s.get("n").asInt()).isEqualTo(i + 1);
            assertThat(s.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = s.get("score").asDouble();
            assertThat(s.get("documentId").asText()).isIn("zorbat", "quent", "mirrors");
            assertThat(s.get("title").asText()).isNotBlank();
            assertThat(s.get("text").asText()).isNotBlank();
            chunks.add(new SourceChunk(s.get("n").asInt(), s.get("documentId").asText(), s.get("title").asText(),
                    s.get("text").asText(), s.get("score").asDouble()));
        }
        assertThat(sources.get(0).get("documentId").asText()).isEqualTo("zorbat");
        assertThat(r.get("adapter").isNull()).isTrue();
        assertThat(r.at("/timings/retrievalMs").asDouble()).isPositive();
        assertThat(r.at("/timings/generationMs").asDouble()).isPositive();
        // the prompt: instruction to cite [n], the chunks numbered in rank order, then the question
        BuiltPrompt prompt = prompts.orElseThrow().build("What colour is the Zorbat river?", chunks, 12);
        assertThat(prompt.droppedSources()).isZero();
        String text = prompt.text();
        assertThat(text).contains("Cite every source you use as [n]");
        int at = -1;
        for (SourceChunk c : chunks) {
            int next = text.indexOf("[" + c.n() + "] " + c.title());
            assertThat(next).as("source [%d] after the previous one", c.n()).isGreaterThan(at);
            assertThat(text.indexOf(c.text().strip(), next)).isGreaterThan(next);
            at = next;
        }
        assertThat(text.indexOf("Question: What colour is the Zorbat river?")).isGreaterThan(at);
        assertThat(r.at("/usage/promptTokens").asInt()).isEqualTo(prompt.ids().length);
        // and the answer is exactly what the model generates greedily from that prompt
        assertThat(r.get("answer").asText()).isEqualTo(greedy(prompt, 12, null));
        assertThat(r.at("/usage/completionTokens").asInt()).isBetween(0, 12);
    }

    @Test
    void theAdapterFieldSelectsAliasVersionOrBaseAndUnknownReferencesAreClearErrors() throws Exception {
        ingest();
        Map<String, Integer> aliases = table.orElseThrow().aliasVersions(ADAPTER);
        record Case(String ref, Integer version, String alias) {
        }
        for (Case c : List.of(new Case(ADAPTER, aliases.get("production"), "production"),
                new Case(ADAPTER + ":staging", aliases.get("staging"), "staging"),
                new Case(ADAPTER + "@3", 3, null))) {
            JsonNode r = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                    .body(Map.of("question", "Where does the Zorbat river flow?", "adapter", c.ref(), "maxTokens", 4))
                    .post("/v1/query").then().statusCode(200).extract().asString());
            assertThat(r.at("/adapter/name").asText()).as(c.ref()).isEqualTo(ADAPTER);
            assertThat(r.at("/adapter/version").asInt()).as(c.ref()).isEqualTo(c.version());
            if (c.alias() == null) {
                assertThat(r.at("/adapter/alias").isNull()).isTrue();
            } else {
                assertThat(r.at("/adapter/alias").asText()).isEqualTo(c.alias());
            }
        }
        String[][] bad = {{"nope", "404", "adapter 'nope' does not exist in the registry"}, {ADAPTER + ":ghost", "404", "no alias 'ghost'"},
                {"Bad Name!", "400", "adapter name"}, {ADAPTER + "@0", "400", "positive integer"},
                {ADAPTER + "@99", "404", "version 99"}};
        for (String[] b : bad) {
            as(QUERY).contentType(ContentType.JSON).body(Map.of("question", "q", "adapter", b[0]))
                    .post("/v1/query").then().statusCode(Integer.parseInt(b[1]))
                    .body("message", org.hamcrest.Matchers.containsString(b[2]));
        }
        as(QUERY).contentType(ContentType.JSON).body(Map.of("question", " ")).post("/v1/query").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("question"));
        as(QUERY).contentType(ContentType.JSON).body(Map.of("question", "q", "maxTokens", 0)).post("/v1/query").then()
                .statusCode(400).body("message", org.hamcrest.Matchers.containsString("maxTokens"));
        as(null).contentType(ContentType.JSON).body(Map.of("question", "q")).post("/v1/query").then().statusCode(401);
        as(INGEST).contentType(ContentType.JSON).body(Map.of("question", "q")).post("/v1/query").then().statusCode(403);
    }

    @Test
    void feedbackProducesExactlyOneTrainingRecordForTheAdapterThatAnswered() throws Exception {
        ingest();
        JsonNode q = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("question", "What festival is held in Quent?", "adapter", ADAPTER + "@2", "maxTokens", 8))
                .post("/v1/query").then().statusCode(200).extract().asString());
        String queryId = q.get("id").asText();
        JsonNode fb = JSON.readTree(as(QUERY).contentType(ContentType.JSON).body(Map.of("queryId", queryId, "rating", "up"))
                .post("/v1/feedback").then().statusCode(201).extract().asString());
        String recordId = fb.at("/trainingRecord/id").asText();
        assertThat(recordId).isNotBlank();
        List<TrainingRecords.Received> records = TrainingRecords.ofQuery(fixture.kafka().bootstrapServers(), queryId);
        assertThat(records).hasSize(1);
        TrainingRecords.Received rec = records.get(0);
        assertThat(rec.key()).isEqualTo(recordId);
        JsonNode v = rec.value();
        assertThat(v.get("id").asText()).isEqualTo(recordId);
        assertThat(v.get("adapter").asText()).isEqualTo(ADAPTER);
        assertThat(v.get("messages").size()).isEqualTo(2);
        assertThat(v.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(v.at("/messages/0/content").asText()).isEqualTo("What festival is held in Quent?");
        assertThat(v.at("/messages/1/role").asText()).isEqualTo("assistant");
        assertThat(v.at("/messages/1/content").asText()).isEqualTo(q.get("answer").asText());
        assertThat(v.at("/metadata/source").asText()).isEqualTo("feedback");
        assertThat(v.at("/metadata/queryId").asText()).isEqualTo(queryId);
        assertThat(v.at("/metadata/rating").asText()).isEqualTo("up");
        assertThat(v.at("/metadata/adapterVersion").asInt()).isEqualTo(2);
        assertThat(v.get("schemaVersion").asInt()).isEqualTo(1);
        // the record passes the contract's validation, as the tuning worker will apply it
        assertThat(new dev.ragtune.common.records.RecordValidator(dev.ragtune.common.records.RecordLimits.defaults(),
                dev.ragtune.common.records.TokenCounter.NONE).validate(rec.key().getBytes(), v.toString().getBytes()))
                .isInstanceOf(dev.ragtune.common.records.ValidationResult.Valid.class);

        // down with a correction: the correction is the assistant turn
        JsonNode q2 = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("question", "What tea grows in Quent?", "adapter", ADAPTER + ":staging", "maxTokens", 4))
                .post("/v1/query").then().statusCode(200).extract().asString());
        as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("queryId", q2.get("id").asText(), "rating", "down", "correction", "A pale blue tea [2]."))
                .post("/v1/feedback").then().statusCode(201);
        List<TrainingRecords.Received> corrected = TrainingRecords.ofQuery(fixture.kafka().bootstrapServers(), q2.get("id").asText());
        assertThat(corrected).hasSize(1);
        assertThat(corrected.get(0).value().at("/messages/1/content").asText()).isEqualTo("A pale blue tea [2].");
        assertThat(corrected.get(0).value().at("/metadata/rating").asText()).isEqualTo("down");

        // down without a correction: stored, no record, and the response says so
        JsonNode q3 = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("question", "Is the lake cold?", "adapter", ADAPTER + "@1", "maxTokens", 4))
                .post("/v1/query").then().statusCode(200).extract().asString());
        JsonNode fb3 = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("queryId", q3.get("id").asText(), "rating", "down"))
                .post("/v1/feedback").then().statusCode(201).extract().asString());
        assertThat(fb3.get("trainingRecord").isNull()).isTrue();
        assertThat(fb3.get("message").asText()).contains("no training record");
        assertThat(TrainingRecords.ofQuery(fixture.kafka().bootstrapServers(), q3.get("id").asText())).isEmpty();

        // a record the tuning worker would reject (here: over its 64 KiB limit) is not sent; the response says why
        JsonNode fb4 = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("queryId", q3.get("id").asText(), "rating", "down", "correction", "long ".repeat(14_000)))
                .post("/v1/feedback").then().statusCode(201).extract().asString());
        assertThat(fb4.get("trainingRecord").isNull()).isTrue();
        assertThat(fb4.get("message").asText()).contains("TOO_LARGE");
        assertThat(TrainingRecords.ofQuery(fixture.kafka().bootstrapServers(), q3.get("id").asText())).isEmpty();

        as(QUERY).contentType(ContentType.JSON).body(Map.of("queryId", java.util.UUID.randomUUID().toString(), "rating", "up"))
                .post("/v1/feedback").then().statusCode(404).body("message", org.hamcrest.Matchers.containsString("not found"));
        as(QUERY).contentType(ContentType.JSON).body(Map.of("queryId", queryId, "rating", "meh"))
                .post("/v1/feedback").then().statusCode(400).body("message", org.hamcrest.Matchers.containsString("rating"));
    }

    @Test
    void chatCompletionIsOpenAiShapedAndUsesTheNamedAdapterVersion() throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", ADAPTER + "@2", "retrieval", false, "max_tokens", 10,
                "messages", List.of(Map.of("role", "user", "content", "Say something about rivers."))));
        JsonNode r = JSON.readTree(as(QUERY).contentType(ContentType.JSON).body(body).post("/v1/chat/completions")
                .then().statusCode(200).extract().asString());
        assertThat(r.get("object").asText()).isEqualTo("chat.completion");
        assertThat(r.get("id").asText()).startsWith("chatcmpl-");
        assertThat(r.get("model").asText()).isEqualTo(ADAPTER + "@2");
        assertThat(r.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(r.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(r.at("/usage/total_tokens").asInt()).isEqualTo(r.at("/usage/prompt_tokens").asInt() + r.at("/usage/completion_tokens").asInt());
        assertThat(r.get("sources").size()).isZero();
        assertThat(r.at("/adapter/version").asInt()).isEqualTo(2);
        BuiltPrompt prompt = prompts.orElseThrow().build(List.of(ChatMessage.user("Say something about rivers.")), List.of(), 10);
        String expected;
        try (OrtAdapter v2 = model.orElseThrow().loadAdapter("expected-v2", fixture.adapterDirs().get(2))) {
            expected = greedy(prompt, 10, v2);
        }
        assertThat(r.at("/choices/0/message/content").asText()).isEqualTo(expected);
        assertThat(expected).isNotEqualTo(greedy(prompt, 10, null)); // the adapter changes the output
    }

    @Test
    void streamedChatCompletionIsServerSentEventsInOpenAiChunkFormat() throws Exception {
        ingest();
        Map<String, Object> req = Map.of("model", "base", "max_tokens", 12, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "What colour is the Zorbat river?")));
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(chatUrl.toString()))
                .header("Authorization", "Bearer " + QUERY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        String[] events = res.body().split("\n\n");
        List<JsonNode> chunks = new ArrayList<>();
        for (int i = 0; i < events.length; i++) {
            assertThat(events[i]).startsWith("data: ");
            String data = events[i].substring(6);
            if (i == events.length - 1) {
                assertThat(data).isEqualTo("[DONE]");
            } else {
                chunks.add(JSON.readTree(data));
            }
        }
        assertThat(res.body()).endsWith("data: [DONE]\n\n");
        assertThat(chunks.size()).isGreaterThanOrEqualTo(2);
        String id = chunks.get(0).get("id").asText();
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode c = chunks.get(i);
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("created").isIntegralNumber()).isTrue();
            assertThat(c.get("model").asText()).isEqualTo("base");
            assertThat(c.at("/choices/0/index").asInt()).isZero();
            JsonNode delta = c.at("/choices/0/delta");
            assertThat(delta.isObject()).isTrue();
            if (i == 0) {
                assertThat(delta.get("role").asText()).isEqualTo("assistant");
                assertThat(c.get("sources").size()).isGreaterThan(0);
            }
            if (i < chunks.size() - 1) {
                assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue();
            }
            content.append(delta.path("content").asText(""));
        }
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(last.at("/usage/completion_tokens").asInt()).isBetween(0, 12);
        // the same request without streaming gives the same text (greedy)
        Map<String, Object> plain = new java.util.HashMap<>(req);
        plain.put("stream", false);
        JsonNode r = JSON.readTree(as(QUERY).contentType(ContentType.JSON).body(JSON.writeValueAsString(plain))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString());
        assertThat(content.toString()).isEqualTo(r.at("/choices/0/message/content").asText());
        assertThat(last.at("/usage/prompt_tokens").asInt()).isEqualTo(r.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void tokensAreStreamedAsTheyAreGeneratedAndADisconnectCancelsTheGeneration() throws Exception {
        int maxTokens = 1800;
        Map<String, Object> req = Map.of("model", "base", "retrieval", false, "max_tokens", maxTokens, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Tell me everything about the river.")));
        double tokensBefore = generatedTokens();
        HttpResponse<java.io.InputStream> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(chatUrl.toString()))
                .header("Authorization", "Bearer " + QUERY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req))).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(res.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            int contentEvents = 0;
            while (contentEvents < 3) {
                String line = lines.readLine();
                assertThat(line).as("stream ended early").isNotNull();
                if (line.startsWith("data: ") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    contentEvents++;
                }
            }
            // three text deltas arrived while the generation is still running: they are sent as they are produced
            assertThat(pool.orElseThrow().active()).isPositive();
        }
        // the client went away: the generation is cancelled long before max_tokens
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
        while (pool.orElseThrow().active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(pool.orElseThrow().active()).isZero();
        Thread.sleep(200); // the metric is recorded right after the generation returns
        assertThat(generatedTokens() - tokensBefore).isLessThan(maxTokens);
    }

    double generatedTokens() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ragtune_rag_generated_tokens_total\\{adapter=\"base\"[^}]*\\} ([0-9.eE+]+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void modelsListBaseAdaptersAndAliasesAndErrorsHaveOpenAiShape() throws Exception {
        JsonNode m = JSON.readTree(as(QUERY).get("/v1/models").then().statusCode(200).extract().asString());
        assertThat(m.get("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        for (JsonNode d : m.get("data")) {
            assertThat(d.get("object").asText()).isEqualTo("model");
            assertThat(d.get("created").isIntegralNumber()).isTrue();
            assertThat(d.get("owned_by").asText()).isNotBlank();
            ids.add(d.get("id").asText());
        }
        assertThat(ids).contains("base", ADAPTER, ADAPTER + ":production", ADAPTER + ":staging");

        JsonNode notFound = JSON.readTree(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("model", "ghost", "messages", List.of(Map.of("role", "user", "content", "hi"))))
                .post("/v1/chat/completions").then().statusCode(404).extract().asString());
        assertThat(notFound.at("/error/message").asText()).contains("ghost");
        assertThat(notFound.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(notFound.at("/error/code").asText()).isEqualTo("model_not_found");
        JsonNode noKey = JSON.readTree(as(null).contentType(ContentType.JSON).body("{}")
                .post("/v1/chat/completions").then().statusCode(401).extract().asString());
        assertThat(noKey.at("/error/type").asText()).isEqualTo("authentication_error");
        JsonNode noKeyModels = JSON.readTree(as(null).get("/v1/models").then().statusCode(401).extract().asString());
        assertThat(noKeyModels.at("/error/message").asText()).contains("API key");
        JsonNode badMessages = JSON.readTree(as(QUERY).contentType(ContentType.JSON).body("{\"model\": \"base\", \"messages\": []}")
                .post("/v1/chat/completions").then().statusCode(400).extract().asString());
        assertThat(badMessages.at("/error/message").asText()).contains("messages");
        assertThat(badMessages.at("/error/param").asText()).isEqualTo("messages");
        JsonNode badJson = JSON.readTree(as(QUERY).contentType(ContentType.JSON).body("{not json")
                .post("/v1/chat/completions").then().statusCode(400).extract().asString());
        assertThat(badJson.at("/error/message").asText()).contains("JSON");
        JsonNode tooLong = JSON.readTree(as(QUERY).contentType(ContentType.JSON).body(JSON.writeValueAsString(Map.of("model", "base",
                        "retrieval", false, "max_tokens", 16, "messages", List.of(Map.of("role", "user", "content", "x".repeat(5000))))))
                .post("/v1/chat/completions").then().statusCode(400).extract().asString());
        assertThat(tooLong.at("/error/code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void activeAdaptersShowVersionsAliasesLoadTimesAndInFlightRequests() throws Exception {
        JsonNode a = JSON.readTree(as(QUERY).get("/v1/adapters/active").then().statusCode(200).extract().asString());
        assertThat(a.get("resolved").asBoolean()).isTrue();
        assertThat(a.at("/adapters/0/name").asText()).isEqualTo(ADAPTER);
        assertThat(a.at("/adapters/0/aliases").has("production")).isTrue();
        assertThat(a.get("versions").size()).isGreaterThanOrEqualTo(1);
        for (JsonNode v : a.get("versions")) {
            assertThat(v.get("adapter").asText()).isEqualTo(ADAPTER);
            assertThat(v.get("loadedAt").asText()).isNotBlank();
            assertThat(v.get("inFlight").asInt()).isGreaterThanOrEqualTo(0);
        }
        as(null).get("/v1/adapters/active").then().statusCode(401);
        JsonNode ready = JSON.readTree(given().get("/q/health/ready").then().statusCode(200).extract().asString());
        boolean found = false;
        for (JsonNode check : ready.get("checks")) {
            if ("adapters".equals(check.get("name").asText())) {
                found = true;
                assertThat(check.get("status").asText()).isEqualTo("UP");
                assertThat(check.at("/data/resolved").asBoolean()).isTrue();
            }
        }
        assertThat(found).as("readiness has the adapters check").isTrue();
    }

    @Test
    void metricsCoverLatencyPerEndpointRetrievalGenerationTokensPerSecondAndAdapterSwaps() {
        ingest();
        as(QUERY).contentType(ContentType.JSON).body(Map.of("question", "What colour is the Zorbat river?", "maxTokens", 6))
                .post("/v1/query").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("http_server_requests_seconds_count{", "uri=\"/v1/query\"");
        assertThat(metrics).containsPattern("(?m)^http_server_requests_seconds_bucket\\{[^}]*uri=\"/v1/query\"[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_generation_seconds_bucket\\{[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_retrieval_seconds_count\\{endpoint=\"query\"[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_generation_seconds_count\\{[^}]*endpoint=\"query\"[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_generation_tokens_per_second_count\\{[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_generated_tokens_total\\{[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_adapter_swaps_total\\{adapter=\"support-bot\"[^}]*\\} [0-9]");
        assertThat(metrics).containsPattern("(?m)^ragtune_rag_adapter_load_failures_total\\{adapter=\"support-bot\"[^}]*\\} [0-9]");
        assertThat(metrics).contains("ragtune_rag_generation_active", "ragtune_rag_generation_queued");
    }
}
