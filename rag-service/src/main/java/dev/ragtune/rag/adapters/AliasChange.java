package dev.ragtune.rag.adapters;

import java.time.Instant;

/**
 * One switch of an alias as this replica applied it.
 *
 * @param version   the version the alias points at from now on; null when the alias was removed
 * @param nanoTime  {@link System#nanoTime()} at the instant of the switch (for ordering within this JVM)
 */
public record AliasChange(String adapter, String alias, Integer version, Integer previousVersion, long nanoTime, Instant at) {
}
