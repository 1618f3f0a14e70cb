package dev.ragtune.rag.answer;

import static dev.ragtune.rag.answer.GenerationServices.INGEST;
import static dev.ragtune.rag.answer.GenerationServices.QUERY;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.rag.query.QueryStore;
import dev.ragtune.rag.query.StoredQuery;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Bad input through HTTP against the real service (PostgreSQL, Kafka, the registry, the demo model): every class of
 * a client's mistake is a 4xx whose body names the field, and no response carries a stack trace, an exception class,
 * SQL or a file-system path.
 */
@QuarkusTest
@WithTestResource(value = GenerationServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BadInputApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Optional<GenerationPool> pool;

    @Inject
    QueryStore queries;

    @TestHTTPResource("/")
    URL root;

    static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    /** The {error, message} body, the status, the field named, nothing internal. */
    static void rejected(Response r, int status, String field) {
        String body = r.asString();
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        clean(body);
        assertThat(r.jsonPath().getString("error")).as(body).isNotBlank();
        assertThat(r.jsonPath().getString("message")).as(body).contains(field);
    }

    /** OpenAI's error shape: {error: {message, type, code, param}}. */
    static void rejectedOpenAi(Response r, int status, String param) {
        String body = r.asString();
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        clean(body);
        assertThat(r.jsonPath().getString("error.param")).as(body).isEqualTo(param);
        assertThat(r.jsonPath().getString("error.message")).as(body).contains(param);
    }

    static void clean(String body) {
        assertThat(body).doesNotContainPattern("(?i)exception|\\bat [a-z]+\\.[a-z]+\\.|java\\.|dev\\.ragtune|org\\.|com\\.fasterxml")
                .doesNotContainPattern("(?i)\\b(insert into|select .* from|update .* set|sql|psql|postgres)")
                .doesNotContainPattern("(^|[\\s\"'=:])/(tmp|home|root|var|srv|work|opt|usr)/");
    }

    static Map<String, Object> chat(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "base");
        m.put("messages", List.of(Map.of("role", "user", "content", "Which river is green?")));
        m.put("max_tokens", 2);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void retrievalTopKHasOneLimitForRetrieveQueryAndChat() {
        for (Object k : List.of(1_000_000_000, 101, -1)) {
            rejected(as(QUERY).contentType(ContentType.JSON).body(Map.of("question", "Which river is green?", "topK", k))
                    .post("/v1/query"), 400, "topK");
            rejectedOpenAi(as(QUERY).contentType(ContentType.JSON).body(chat("retrieval_top_k", k)).post("/v1/chat/completions"),
                    400, "retrieval_top_k");
        }
        rejected(as(QUERY).contentType(ContentType.JSON).body(Map.of("query", "river", "topK", 101)).post("/v1/retrieve"), 400, "topK");
        // a topK beyond int is a type error naming the field
        rejected(as(QUERY).contentType(ContentType.JSON).body("{\"question\": \"q\", \"topK\": 99999999999}").post("/v1/query"), 400, "topK");
        // the limit itself is accepted
        as(QUERY).contentType(ContentType.JSON).body(Map.of("question", "Which river is green?", "topK", 100, "maxTokens", 1))
                .post("/v1/query").then().statusCode(200);
        as(QUERY).contentType(ContentType.JSON).body(chat("retrieval_top_k", 100)).post("/v1/chat/completions").then().statusCode(200);
    }

    @Test
    void aNulCharacterInAClientsTextIsA400NamingTheField() {
        String nul = "bad\u0000text";
        rejected(as(INGEST).contentType(ContentType.JSON).body(Map.of("text", nul)).post("/v1/documents"), 400, "text");
        rejected(as(INGEST).contentType(ContentType.JSON).body(Map.of("text", "fine", "title", nul)).post("/v1/documents"), 400, "title");
        rejected(as(INGEST).contentType(ContentType.JSON).body(Map.of("text", "fine", "metadata", Map.of("k", nul))).post("/v1/documents"),
                400, "metadata.k");
        rejected(as(INGEST).multiPart("file", "a.txt", "fine text".getBytes(StandardCharsets.UTF_8), "text/plain")
                .multiPart("title", nul).post("/v1/documents"), 400, "title");
        // a file is parsed (Tika) before it is stored; a NUL byte in it never reaches PostgreSQL
        Response file = as(INGEST).multiPart("file", "a.txt", "text with\u0000a NUL".getBytes(StandardCharsets.UTF_8), "text/plain")
                .post("/v1/documents");
        assertThat(file.statusCode()).as(file.asString()).isIn(200, 201, 400);
        clean(file.asString());
        rejected(as(QUERY).contentType(ContentType.JSON).body(Map.of("question", nul)).post("/v1/query"), 400, "question");
        rejected(as(QUERY).contentType(ContentType.JSON).body(Map.of("query", nul)).post("/v1/retrieve"), 400, "query");
        rejectedOpenAi(as(QUERY).contentType(ContentType.JSON)
                .body(chat("messages", List.of(Map.of("role", "user", "content", nul)))).post("/v1/chat/completions"), 400, "messages[0].content");
        rejectedOpenAi(as(QUERY).contentType(ContentType.JSON).body(chat("stop", nul)).post("/v1/chat/completions"), 400, "stop");
        rejected(as(QUERY).contentType(ContentType.JSON)
                .body(Map.of("queryId", UUID.randomUUID().toString(), "rating", "down", "correction", nul)).post("/v1/feedback"), 400, "correction");
    }

    @Test
    void aGeneratedAnswerWithANulCharacterIsStoredWithoutIt() {
        UUID id = UUID.randomUUID();
        queries.save(new StoredQuery(id, "query", "q", null, "an\u0000answer", null, null, null, "[]", 3, 2, "stop", Instant.now()));
        assertThat(queries.find(id).orElseThrow().answer()).isEqualTo("ananswer");
    }

    @Test
    void longQuestionsAreAnsweredInEveryRetrievalMode() {
        String question = IntStream.range(0, 3000).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
        for (String mode : List.of("hybrid", "bm25", "vector")) {
            as(QUERY).contentType(ContentType.JSON).body(Map.of("query", question, "mode", mode, "topK", 3))
                    .post("/v1/retrieve").then().statusCode(200);
        }
        String repeated = String.join(" ", java.util.Collections.nCopies(400, "green river valley tea"));
        as(QUERY).contentType(ContentType.JSON).body(Map.of("query", repeated, "mode", "bm25")).post("/v1/retrieve").then().statusCode(200);
        // query and chat retrieve with the same long question: no 500 (a prompt beyond the context window is a 400)
        Response q = as(QUERY).contentType(ContentType.JSON).body(Map.of("question", question, "maxTokens", 1)).post("/v1/query");
        assertThat(q.statusCode()).as(q.asString()).isIn(200, 400);
        clean(q.asString());
        Response c = as(QUERY).contentType(ContentType.JSON)
                .body(chat("messages", List.of(Map.of("role", "user", "content", question)))).post("/v1/chat/completions");
        assertThat(c.statusCode()).as(c.asString()).isIn(200, 400);
        clean(c.asString());
    }

    @Test
    void documentIdsWithATrailingSlashAreRefused() {
        rejected(as(INGEST).contentType(ContentType.JSON).body(Map.of("id", "a/b/", "text", "x")).post("/v1/documents"), 400, "id");
        as(INGEST).contentType(ContentType.JSON).body(Map.of("id", "slash-test/b", "text", "some text")).post("/v1/documents")
                .then().statusCode(201);
        as(INGEST).get("/v1/documents/slash-test/b").then().statusCode(200);
        // an id that cannot have been stored addresses nothing
        rejected(as(INGEST).get("/v1/documents/bad%00id"), 404, "not found");
        rejected(as(INGEST).delete("/v1/documents/bad%00id"), 404, "not found");
        as(INGEST).delete("/v1/documents/slash-test/b").then().statusCode(204);
    }

    @Test
    void typeMismatchesAndOversizedBodiesGetTheErrorBody() throws Exception {
        rejected(as(QUERY).contentType(ContentType.JSON).body(Map.of("question", "q", "temperature", "hot")).post("/v1/query"), 400,
                "temperature");
        rejected(as(INGEST).contentType(ContentType.JSON).body(Map.of("text", List.of("a"))).post("/v1/documents"), 400, "text");
        rejected(as(INGEST).contentType(ContentType.JSON).body("[1, 2]").post("/v1/documents"), 400, "request body");
        rejected(as(QUERY).contentType(ContentType.JSON).body("{\"question\": ").post("/v1/query"), 400, "JSON");
        rejected(as(QUERY).contentType(ContentType.JSON).body(Map.of("query", "q", "topK", "five")).post("/v1/retrieve"), 400, "topK");
        rejectedOpenAi(as(QUERY).contentType(ContentType.JSON).body(chat("temperature", "hot")).post("/v1/chat/completions"), 400,
                "temperature");
        rejected(as(INGEST).queryParam("page", Integer.MAX_VALUE).get("/v1/documents"), 400, "page");
        rejected(as(INGEST).queryParam("size", 0).get("/v1/documents"), 400, "size");
        rejectedOpenAi(as(QUERY).contentType(ContentType.JSON)
                .body(chat("tools", List.of(Map.of("type", "function", "function", Map.of("name", "f"))))).post("/v1/chat/completions"),
                400, "tools");
        rejectedOpenAi(as(QUERY).contentType(ContentType.JSON).body(chat("tool_choice", "auto")).post("/v1/chat/completions"), 400, "tool_choice");
        rejectedOpenAi(as(QUERY).contentType(ContentType.JSON).body(chat("logprobs", true)).post("/v1/chat/completions"), 400, "logprobs");
        // what clients send by default is accepted
        as(QUERY).contentType(ContentType.JSON).body(chat("tools", List.of(), "logprobs", false)).post("/v1/chat/completions")
                .then().statusCode(200);

        // a body over quarkus.http.limits.max-body-size: 413 with the error body, before it is sent
        String response = rawExchange(root, "POST /v1/documents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + INGEST
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n{\"text\": \"");
        assertThat(response).startsWith("HTTP/1.1 413");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        clean(body);
        assertThat(JSON.readTree(body).path("error").asText()).isEqualTo("payload_too_large");
        assertThat(JSON.readTree(body).path("message").asText()).contains("limit");
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

    @Test
    void readinessAndErrorsShowNoPaths() {
        String ready = given().get("/q/health/ready").asString();
        clean(ready);
        String live = given().get("/q/health/live").asString();
        clean(live);
        rejected(as(QUERY).get("/v1/no-such-endpoint"), 404, "no such resource");
    }

    @Test
    void aClientThatClosesItsConnectionCancelsItsStreamedGeneration() throws Exception {
        int maxTokens = 1800;
        String body = JSON.writeValueAsString(Map.of("model", "base", "retrieval", false, "max_tokens", maxTokens, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Tell me everything about the valley."))));
        List<String> seen = new ArrayList<>();
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + QUERY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            while (seen.size() < 2) {
                String line = in.readLine();
                assertThat(line).as("stream ended early").isNotNull();
                if (line.startsWith("data: ")) {
                    seen.add(line);
                }
            }
            assertThat(pool.orElseThrow().active()).isPositive();
        } // the socket is closed without reading further
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (pool.orElseThrow().active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(pool.orElseThrow().active()).as("the generation slot is free again").isZero();
    }
}
