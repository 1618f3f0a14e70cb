package dev.ragtune.common.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The JSON event published on Kafka topic {@code adapter-events} (key = adapter name) for every change.
 *
 * <ul>
 * <li>{@code VERSION_REGISTERED}: {@code version} = the new version, {@code previousVersion} = its manifest's parentVersion (or null), files = its files</li>
 * <li>{@code ALIAS_SET}: {@code alias} now points at {@code version}; {@code previousVersion} = where it pointed before (null if new); files = the files of {@code version}</li>
 * <li>{@code ALIAS_REMOVED}: {@code version} = null, {@code previousVersion} = the version the alias pointed at; files = []</li>
 * <li>{@code VERSION_ARCHIVED}: {@code version} = the archived version; files = its files</li>
 * </ul>
 *
 * <p>One type for both sides: the model-registry writes it (through its outbox), every rag-service replica reads it.
 * Readers ignore fields they do not know, so a newer registry can add fields without breaking older replicas.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"eventId", "type", "adapter", "version", "alias", "previousVersion", "baseModel", "files", "actor", "reason", "occurredAt"})
public record AdapterEvent(
        UUID eventId,
        Type type,
        String adapter,
        Integer version,
        String alias,
        Integer previousVersion,
        String baseModel,
        List<EventFile> files,
        String actor,
        String reason,
        Instant occurredAt) {

    /** The Kafka topic the events are published on, keyed by adapter name. */
    public static final String TOPIC = "adapter-events";

    public enum Type { VERSION_REGISTERED, ALIAS_SET, ALIAS_REMOVED, VERSION_ARCHIVED }

    @JsonPropertyOrder({"name", "sha256", "size", "url"})
    public record EventFile(String name, String sha256, long size, String url) {
    }
}
