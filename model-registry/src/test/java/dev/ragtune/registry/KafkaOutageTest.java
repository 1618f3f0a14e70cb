package dev.ragtune.registry;

import static dev.ragtune.registry.Api.as;
import static dev.ragtune.registry.EmbeddedServices.READER;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Acceptance 3: Kafka down during five alias changes; once it is back all five arrive, in order, exactly once. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KafkaOutageTest {

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    @Test
    void eventsWaitInTheOutboxWhileKafkaIsDown() throws Exception {
        String adapter = "outage-bot";
        Api.baseModel("outage-base");
        Api.adapter(adapter, "outage-base");
        int v1 = Api.version(adapter, "{}");
        int v2 = Api.version(adapter, "{}");
        // let the registrations reach Kafka first, so that only the alias changes wait
        Events.await(kafka.bootstrapServers(), adapter, got -> got.size() >= 2, Duration.ofSeconds(60));

        kafka.stop();
        try {
            for (int i = 0; i < 5; i++) {
                Api.setAlias(adapter, "canary", Map.of("version", i % 2 == 0 ? v1 : v2, "reason", "change " + i))
                        .then().statusCode(200);
            }
            assertThat(pendingFor(adapter)).as("the five events wait in the outbox").isEqualTo(5);
            // the relay keeps trying: sends time out (delivery timeout 3 s in tests) and are retried with back-off
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (failedAttemptsFor(adapter) == 0 && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            assertThat(failedAttemptsFor(adapter)).as("failed send attempts recorded while Kafka is down").isPositive();
            assertThat(pendingFor(adapter)).isEqualTo(5);
        } finally {
            kafka.startAgain();
        }

        List<String> historyIds = as(READER).get("/v1/adapters/" + adapter + "/history").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.type == 'ALIAS_SET' }.eventId");
        assertThat(historyIds).hasSize(5);
        List<Events.Received> got = Events.await(kafka.bootstrapServers(), adapter,
                events -> events.stream().filter(e -> e.type().equals("ALIAS_SET")).count() >= 5, Duration.ofSeconds(90));
        // wait until the relay has marked everything sent, then read once more: no duplicate may have appeared
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (pendingFor(adapter) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(pendingFor(adapter)).isZero();
        got = Events.of(kafka.bootstrapServers(), adapter);
        List<Events.Received> aliasEvents = got.stream().filter(e -> e.type().equals("ALIAS_SET")).toList();
        assertThat(aliasEvents).extracting(Events.Received::eventId).containsExactlyElementsOf(historyIds);
        Map<String, Long> counts = got.stream().collect(Collectors.groupingBy(Events.Received::eventId, Collectors.counting()));
        assertThat(counts.values()).as("every eventId exactly once").allMatch(c -> c == 1);
        assertThat(aliasEvents).extracting(e -> e.event().get("reason").asText())
                .containsExactly("change 0", "change 1", "change 2", "change 3", "change 4");
    }

    private int failedAttemptsFor(String adapter) throws Exception {
        try (Connection c = postgres.connect("registry"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from outbox where sent_at is null and last_error is not null and attempts > 0"
                     + " and event_key = '" + adapter + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private int pendingFor(String adapter) throws Exception {
        try (Connection c = postgres.connect("registry"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from outbox where sent_at is null and event_key = '" + adapter + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
