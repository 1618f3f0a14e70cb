package dev.ragtune.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.embedded.Topics;

/** Reads {@code adapter-events} with a plain consumer, as a real subscriber would. */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    /** One received event with its Kafka key. */
    public record Received(String key, JsonNode event, long offset) {
        public String eventId() {
            return event.get("eventId").asText();
        }

        public String type() {
            return event.get("type").asText();
        }
    }

    /** All events of {@code adapter} on the topic, in topic order. */
    public static List<Received> of(String bootstrap, String adapter) {
        List<Received> out = new ArrayList<>();
        for (var r : Topics.readAll(bootstrap, EmbeddedServices.TOPIC)) {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (adapter.equals(key)) {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                try {
                    out.add(new Received(key, JSON.readTree(value), r.offset()));
                } catch (Exception e) {
                    throw new IllegalStateException("event is not JSON: " + value, e);
                }
            }
        }
        return out;
    }

    /** Polls until the adapter's events satisfy {@code done} or the timeout passes; returns the last read. */
    public static List<Received> await(String bootstrap, String adapter, Predicate<List<Received>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> got = of(bootstrap, adapter);
        while (!done.test(got) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            got = of(bootstrap, adapter);
        }
        return got;
    }
}
