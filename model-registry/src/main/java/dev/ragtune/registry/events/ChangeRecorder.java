package dev.ragtune.registry.events;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.common.events.AdapterEvent;
import dev.ragtune.registry.adapters.Adapter;
import dev.ragtune.registry.config.RegistryConfig;
import dev.ragtune.registry.history.HistoryEntry;
import dev.ragtune.registry.versions.VersionFile;

/**
 * Records a change twice in the caller's transaction: as a {@link HistoryEntry} and as an event in the
 * outbox, both with the same eventId. Either both commit with the change or neither does. The event is the shared
 * contract type {@link AdapterEvent} (what rag-service reads), serialised as it is, for topic
 * {@code ragtune.registry.kafka.topic} (default {@link AdapterEvent#TOPIC}).
 */
@ApplicationScoped
public class ChangeRecorder {

    /** What changed; {@code forced}/{@code rollback} only go to history. */
    public record Change(AdapterEvent.Type type, Adapter adapter, Integer version, String alias, Integer previousVersion,
                         List<VersionFile> files, String actor, String reason, boolean forced, boolean rollback) {
    }

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    RegistryConfig config;

    @Transactional(Transactional.TxType.MANDATORY)
    public AdapterEvent record(Change c) {
        Instant now = Instant.now();
        UUID eventId = UUID.randomUUID();
        HistoryEntry h = new HistoryEntry();
        h.eventId = eventId;
        h.adapterId = c.adapter().id;
        h.type = c.type().name();
        h.version = c.version();
        h.alias = c.alias();
        h.fromVersion = c.previousVersion();
        h.toVersion = c.version();
        h.actor = c.actor();
        h.reason = c.reason();
        h.forced = c.forced();
        h.rollback = c.rollback();
        h.occurredAt = now;
        em.persist(h);

        Integer fileVersion = c.version();
        List<AdapterEvent.EventFile> files = c.files() == null ? List.of() : c.files().stream()
                .map(f -> new AdapterEvent.EventFile(f.name, f.sha256, f.size, fileUrl(c.adapter().name, fileVersion, f.name)))
                .toList();
        AdapterEvent event = new AdapterEvent(eventId, c.type(), c.adapter().name, c.version(), c.alias(), c.previousVersion(),
                c.adapter().baseModelId, files, c.actor(), c.reason(), now);
        OutboxRecord o = new OutboxRecord();
        o.eventId = eventId;
        o.topic = config.kafka().topic();
        o.eventKey = c.adapter().name;
        try {
            o.payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise event", e);
        }
        o.createdAt = now;
        em.persist(o);
        return event;
    }

    public String fileUrl(String adapter, int version, String file) {
        String base = config.publicBaseUrl().endsWith("/")
                ? config.publicBaseUrl().substring(0, config.publicBaseUrl().length() - 1) : config.publicBaseUrl();
        return base + "/v1/adapters/" + enc(adapter) + "/versions/" + version + "/files/" + enc(file);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
