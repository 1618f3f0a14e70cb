package dev.ragtune.rag.answer;

import static dev.ragtune.rag.answer.GenerationServices.ADAPTER;
import static dev.ragtune.rag.answer.GenerationServices.QUERY;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.VersionInfo;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.rag.adapters.AdapterTable;
import dev.ragtune.rag.adapters.AliasSwitch;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Acceptance 3: while 8 clients query continuously, {@code production} moves between three versions ten times
 * through the registry's REST API → Kafka {@code adapter-events} → hot-load. No request fails; each answer names the
 * version it used, which was the alias's version at an instant between the request's start and its end (the
 * alias timeline is recorded where the events are applied); each answer's text is exactly the greedy output of that
 * version. Corrupted artifacts (garbage {@code .onnx_adapter}, sha256 mismatch) are rejected and counted while the
 * previous version keeps serving.
 */
@QuarkusTest
@WithTestResource(value = GenerationServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): about 12 s alone
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HotSwapTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CLIENTS = 8;
    static final int SWITCHES = 10;
    static final int MAX_TOKENS = 8;
    static final List<String> PROMPTS = List.of("Tell me about the river.", "What should I pack for the lake?");
    static final Duration PATIENCE = Duration.ofSeconds(90);

    @InjectGeneration
    GenerationFixture fixture;

    @Inject
    Optional<ServingModel> model;

    @Inject
    Optional<CitationPromptBuilder> prompts;

    @Inject
    Optional<AdapterTable> table;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;

    record Answer(int client, int prompt, long startNanos, long endNanos, int status, Integer version, String alias, String text,
                  String body) {
    }

    /** expected[version][prompt]: the greedy text of each version, computed here from the uploaded files. */
    Map<Integer, List<String>> expectedOutputs() {
        Map<Integer, List<String>> out = new HashMap<>();
        for (int v = 1; v <= GenerationServices.VERSIONS; v++) {
            try (OrtAdapter a = model.orElseThrow().loadAdapter("expected-" + v, fixture.adapterDirs().get(v))) {
                List<String> texts = new ArrayList<>();
                for (String p : PROMPTS) {
                    int[] ids = prompts.orElseThrow().build(List.of(ChatMessage.user(p)), List.of(), MAX_TOKENS).ids();
                    texts.add(model.orElseThrow().generator().generate(new GenerationRequest(ids, SamplingParams.greedy(MAX_TOKENS), a)).text());
                }
                out.put(v, texts);
            }
        }
        return out;
    }

    Answer ask(HttpClient http, int client, int prompt) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", ADAPTER, "retrieval", false, "max_tokens", MAX_TOKENS,
                "messages", List.of(Map.of("role", "user", "content", PROMPTS.get(prompt)))));
        long t0 = System.nanoTime();
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(chatUrl.toString()))
                .header("Authorization", "Bearer " + QUERY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        if (res.statusCode() != 200) {
            return new Answer(client, prompt, t0, t1, res.statusCode(), null, null, null, res.body());
        }
        JsonNode r = JSON.readTree(res.body());
        return new Answer(client, prompt, t0, t1, 200, r.at("/adapter/version").asInt(), r.at("/adapter/alias").asText(),
                r.at("/choices/0/message/content").asText(), null);
    }

    int production() {
        Integer v = table.orElseThrow().aliasVersions(ADAPTER).get("production");
        return v == null ? -1 : v;
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    double metric(String name) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*adapter=\"" + ADAPTER + "\"[^}]*\\} ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }

    @Test
    @Order(1)
    void aliasMovesTenTimesUnderLoadWithoutAFailedRequestAndEveryAnswerUsesTheAliasVersionOfItsTime() throws Exception {
        Map<Integer, List<String>> expected = expectedOutputs();
        for (int p = 0; p < PROMPTS.size(); p++) {
            Set<String> distinct = new HashSet<>();
            for (int v = 1; v <= GenerationServices.VERSIONS; v++) {
                distinct.add(expected.get(v).get(p));
            }
            assertThat(distinct).as("the three versions answer prompt %d differently (else the text check proves nothing)", p)
                    .hasSize(GenerationServices.VERSIONS);
        }
        double swapsBefore = metric("ragtune_rag_adapter_swaps_total");
        int timelineBefore = table.orElseThrow().timeline().size();

        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Integer> targets = new ArrayList<>();
        List<Long> lagsMs = new ArrayList<>();
        try (RegistryClient ops = new RegistryClient(fixture.registry().baseUrl(), fixture.registry().key("ops"))) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.submit(() -> {
                    Random random = new Random(client);
                    while (running.get()) {
                        try {
                            answers.add(ask(http, client, random.nextInt(PROMPTS.size())));
                        } catch (Exception e) {
                            answers.add(new Answer(client, -1, 0, 0, -1, null, null, null, e.toString()));
                        }
                    }
                    return null;
                });
            }
            await("first answers", () -> answers.size() >= CLIENTS);
            int current = production();
            for (int s = 0; s < SWITCHES; s++) {
                int target = current % GenerationServices.VERSIONS + 1; // 1 → 2 → 3 → 1 …
                long t0 = System.nanoTime();
                ops.setAlias(ADAPTER, "production", target, "hot-swap test switch " + (s + 1), false);
                await("production → " + target + " applied by the service", () -> production() == target);
                long applied = System.nanoTime();
                lagsMs.add((applied - t0) / 1_000_000);
                // let the clients run on the new version for a while: at least 2 answers per client started after the switch
                await("answers after switch " + (s + 1),
                        () -> answers.stream().filter(a -> a.startNanos() > applied).count() >= 2L * CLIENTS);
                targets.add(target);
                current = target;
            }
        } finally {
            running.set(false);
            clients.shutdown();
            clients.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
        }

        List<Answer> all = new ArrayList<>(answers);
        List<Answer> failed = all.stream().filter(a -> a.status() != 200).toList();
        assertThat(failed).as("failed requests").isEmpty();
        assertThat(all.size()).isGreaterThan(SWITCHES * 2 * CLIENTS);

        // the alias timeline as the service applied it: exactly the ten switches, in order
        List<AliasSwitch> timeline = table.orElseThrow().timeline();
        List<AliasSwitch> production = timeline.subList(timelineBefore, timeline.size()).stream()
                .filter(c -> c.adapter().equals(ADAPTER) && c.alias().equals("production")).toList();
        assertThat(production.stream().map(AliasSwitch::version).toList()).isEqualTo(targets);
        List<AliasSwitch> history = timeline.stream().filter(c -> c.adapter().equals(ADAPTER) && c.alias().equals("production")).toList();

        Set<Integer> served = new HashSet<>();
        int afterSwitch = 0;
        for (Answer a : all) {
            // the version production pointed at when the request started, and every version it pointed at before it ended
            Integer atStart = null;
            Set<Integer> allowed = new HashSet<>();
            for (AliasSwitch c : history) {
                if (c.nanoTime() <= a.startNanos()) {
                    atStart = c.version();
                } else if (c.nanoTime() <= a.endNanos()) {
                    allowed.add(c.version());
                }
            }
            allowed.add(atStart);
            assertThat(a.version()).as("answer of client %d: version used vs the alias during [start, end]", a.client()).isIn(allowed);
            if (allowed.size() == 1) {
                afterSwitch++; // started after a switch had completed and ended before the next: must be exactly that version
            }
            assertThat(a.alias()).isEqualTo("production");
            assertThat(a.text()).as("answer text is what version %d generates (greedy)", a.version())
                    .isEqualTo(expected.get(a.version()).get(a.prompt()));
            served.add(a.version());
        }
        assertThat(afterSwitch).isGreaterThan(SWITCHES * CLIENTS);
        assertThat(served).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(metric("ragtune_rag_adapter_swaps_total") - swapsBefore).isEqualTo(SWITCHES);
        Matcher gauge = Pattern.compile("(?m)^ragtune_rag_adapter_version\\{[^}]*adapter=\"" + ADAPTER + "\"[^}]*alias=\"production\"[^}]*\\} ([0-9.eE+-]+)$")
                .matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        assertThat(gauge.find()).as("the served-version gauge is exported").isTrue();
        assertThat((int) Double.parseDouble(gauge.group(1))).as("the gauge shows the version production points at here")
                .isEqualTo(table.orElseThrow().aliasVersions(ADAPTER).get("production"));

        // nothing in flight any more; versions no alias points at are closed and gone from the table
        Map<String, Integer> aliases = table.orElseThrow().aliasVersions(ADAPTER);
        for (AdapterTable.VersionState v : table.orElseThrow().snapshot()) {
            assertThat(v.inFlight()).isZero();
            assertThat(aliases.containsValue(v.version())).as("version %d still loaded", v.version()).isTrue();
        }
        Collections.sort(lagsMs);
        System.out.printf("switch → serving (ms): p50 %d, max %d, all %s%n", lagsMs.get(lagsMs.size() / 2),
                lagsMs.get(lagsMs.size() - 1), lagsMs);
    }

    @Test
    @Order(2)
    void corruptedArtifactsAreRejectedCountedAndThePreviousVersionKeepsServing() throws Exception {
        Map<Integer, List<String>> expected = expectedOutputs();
        int before = production();
        double failuresBefore = metric("ragtune_rag_adapter_load_failures_total");
        try (RegistryClient admin = new RegistryClient(fixture.registry().baseUrl(), fixture.registry().key("admin"))) {
            // 1. garbage .onnx_adapter (the registry accepts any bytes; ONNX Runtime cannot load them)
            Path garbageDir = Files.createDirectories(fixture.dir().resolve("garbage"));
            byte[] junk = new byte[4096];
            new Random(9).nextBytes(junk);
            Path garbage = Files.write(garbageDir.resolve("adapter.onnx_adapter"), junk);
            int garbageVersion = admin.registerVersion(ADAPTER, JSON.createObjectNode(), List.of(garbage)).version();
            admin.setAlias(ADAPTER, "production", garbageVersion, "corrupt artifact test", false);
            await("load failure of the garbage version counted",
                    () -> metric("ragtune_rag_adapter_load_failures_total") >= failuresBefore + 1);
            assertThat(production()).isEqualTo(before);
            assertAnswersWith(before, expected);

            // 2. a valid adapter whose stored blob is altered afterwards: the download's sha256 check fails
            Path good = TestAdapters.writeRandom(fixture.checkpoint(), fixture.dir().resolve("tampered"), 1005);
            VersionInfo tampered = admin.registerVersion(ADAPTER, JSON.createObjectNode(), TestAdapters.files(good));
            VersionInfo.FileInfo f = tampered.file("adapter.onnx_adapter").orElseThrow();
            Path blob = fixture.dir().resolve("registry/blobs").resolve(f.sha256().substring(0, 2)).resolve(f.sha256());
            assertThat(blob).exists();
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 2] ^= 0x5a; // same size, different content
            Files.write(blob, bytes);
            admin.setAlias(ADAPTER, "production", tampered.version(), "tampered artifact test", false);
            await("load failure of the tampered version counted",
                    () -> metric("ragtune_rag_adapter_load_failures_total") >= failuresBefore + 2);
            assertThat(production()).isEqualTo(before);
            assertAnswersWith(before, expected);

            // and a good version afterwards is taken as usual
            int next = before % GenerationServices.VERSIONS + 1;
            admin.setAlias(ADAPTER, "production", next, "back to a good version", false);
            await("production → " + next, () -> production() == next);
            assertAnswersWith(next, expected);
        }
        assertThat(metric("ragtune_rag_adapter_load_failures_total")).isEqualTo(failuresBefore + 2);
    }

    void assertAnswersWith(int version, Map<Integer, List<String>> expected) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int p = 0; p < PROMPTS.size(); p++) {
            Answer a = ask(http, 0, p);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
            assertThat(a.version()).isEqualTo(version);
            assertThat(a.text()).isEqualTo(expected.get(version).get(p));
        }
    }
}
