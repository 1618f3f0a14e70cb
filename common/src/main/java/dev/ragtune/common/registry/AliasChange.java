package dev.ragtune.common.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The registry's answer to an alias change: {@code changed} is false when the alias already pointed there. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AliasChange(String adapter, String alias, Integer version, Integer previousVersion, boolean changed,
                          boolean forced, String gate, String eventId) {
}
