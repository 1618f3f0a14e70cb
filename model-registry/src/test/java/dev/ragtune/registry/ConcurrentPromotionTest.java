package dev.ragtune.registry;

import static dev.ragtune.registry.Api.as;
import static dev.ragtune.registry.EmbeddedServices.READER;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.ragtune.embedded.KafkaBroker;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Acceptance 2: two concurrent promotions of one alias are serialized; history and events agree on their order. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ConcurrentPromotionTest {

    @InjectEmbedded
    KafkaBroker kafka;

    @Test
    void twoConcurrentPromotionsAreSerialized() throws Exception {
        String adapter = "race-bot";
        Api.baseModel("race-base");
        Api.adapter(adapter, "race-base");
        // no comparable metrics: the gate lets both through, so both promotions must succeed
        int v1 = Api.version(adapter, "{\"metrics\": {\"evalSet\": \"a\", \"eval_loss\": 0.5}}");
        int v2 = Api.version(adapter, "{\"metrics\": {\"evalSet\": \"b\", \"eval_loss\": 0.9}}");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> {
                await(go);
                return Api.setAlias(adapter, "production", Map.of("version", v1, "reason", "A")).statusCode();
            }, pool);
            CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> {
                await(go);
                return Api.setAlias(adapter, "production", Map.of("version", v2, "reason", "B")).statusCode();
            }, pool);
            go.countDown();
            assertThat(List.of(a.get(60, TimeUnit.SECONDS), b.get(60, TimeUnit.SECONDS))).containsExactly(200, 200);
        } finally {
            pool.shutdownNow();
        }

        List<Map<String, Object>> history = as(READER).get("/v1/adapters/" + adapter + "/history").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.type == 'ALIAS_SET' }");
        assertThat(history).hasSize(2);
        // serialized: the second change starts from where the first ended
        assertThat(history.get(0).get("fromVersion")).isNull();
        assertThat(history.get(1).get("fromVersion")).isEqualTo(history.get(0).get("toVersion"));
        assertThat(history).extracting(h -> h.get("toVersion")).containsExactlyInAnyOrder(v1, v2);
        Object last = history.get(1).get("toVersion");
        assertThat(as(READER).get("/v1/adapters/" + adapter).then().extract().jsonPath().getInt("aliases.production")).isEqualTo(last);

        List<String> ids = history.stream().map(h -> (String) h.get("eventId")).toList();
        List<Events.Received> events = Events.await(kafka.bootstrapServers(), adapter,
                got -> got.stream().filter(e -> e.type().equals("ALIAS_SET")).count() >= 2, Duration.ofSeconds(60));
        List<Events.Received> aliasEvents = events.stream().filter(e -> e.type().equals("ALIAS_SET")).toList();
        assertThat(aliasEvents).extracting(Events.Received::eventId).containsExactlyElementsOf(ids);
        assertThat(aliasEvents.get(1).event().get("previousVersion").asInt()).isEqualTo(aliasEvents.get(0).event().get("version").asInt());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
