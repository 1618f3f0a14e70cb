package dev.ragtune.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.ragtune.common.events.AdapterEvent;
import dev.ragtune.embedded.KafkaBroker;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the registry publishes on {@code adapter-events} is the shared contract type {@link AdapterEvent} (common), which
 * rag-service reads: every message reads into it, and written back it is the same JSON (no field lost or added).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AdapterEventContractTest {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @InjectEmbedded
    KafkaBroker kafka;

    @Test
    void everyEventIsTheSharedAdapterEvent() throws Exception {
        String adapter = "event-contract-bot";
        Api.baseModel("event-contract-base");
        Api.adapter(adapter, "event-contract-base");
        int v = Api.version(adapter, "{}");
        Api.setAlias(adapter, "production", Map.of("version", v, "reason", "contract")).then().statusCode(200);

        assertThat(AdapterEvent.TOPIC).isEqualTo(EmbeddedServices.TOPIC);
        List<Events.Received> got = Events.await(kafka.bootstrapServers(), adapter, r -> r.size() >= 2, Duration.ofSeconds(60));
        assertThat(got).hasSize(2);
        for (Events.Received r : got) {
            AdapterEvent e = JSON.treeToValue(r.event(), AdapterEvent.class);
            assertThat(JSON.readTree(JSON.writeValueAsString(e))).as("written back").isEqualTo(r.event());
            assertThat(e.eventId().toString()).isEqualTo(r.eventId());
            assertThat(e.adapter()).isEqualTo(adapter).isEqualTo(r.key());
            assertThat(e.baseModel()).isEqualTo("event-contract-base");
            assertThat(e.version()).isEqualTo(v);
            assertThat(e.occurredAt()).isNotNull();
            assertThat(e.files()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("adapter_model.safetensors");
                assertThat(f.sha256()).hasSize(64);
                assertThat(f.url()).endsWith("/v1/adapters/" + adapter + "/versions/" + v + "/files/adapter_model.safetensors");
            });
        }
        assertThat(got).extracting(r -> JSON.treeToValue(r.event(), AdapterEvent.class).type())
                .containsExactly(AdapterEvent.Type.VERSION_REGISTERED, AdapterEvent.Type.ALIAS_SET);
        AdapterEvent promoted = JSON.treeToValue(got.get(1).event(), AdapterEvent.class);
        assertThat(promoted.alias()).isEqualTo("production");
        assertThat(promoted.previousVersion()).isNull();
        assertThat(promoted.reason()).isEqualTo("contract");
    }
}
