package dev.ragtune.rag.adapters;

import java.time.Instant;

/**
 * One switch of an alias as this replica applied it to its {@link AdapterTable} (an entry of its timeline, shown by
 * {@code GET /v1/adapters/active} as {@code recentSwitches}). Not the registry's answer to an alias change
 * ({@code common}'s {@code registry.AliasChange}): this is when the change reached this replica.
 *
 * @param version   the version the alias points at from now on; null when the alias was removed
 * @param nanoTime  {@link System#nanoTime()} at the instant of the switch (for ordering within this JVM)
 */
public record AliasSwitch(String adapter, String alias, Integer version, Integer previousVersion, long nanoTime, Instant at) {
}
