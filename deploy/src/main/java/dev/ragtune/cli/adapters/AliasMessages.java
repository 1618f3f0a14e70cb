package dev.ragtune.cli.adapters;

import dev.ragtune.common.registry.AliasChange;

/** One line about an alias change. */
final class AliasMessages {
    private AliasMessages() {
    }

    static String describe(AliasChange c, String verb) {
        if (!c.changed()) {
            return c.adapter() + " " + c.alias() + " already points at v" + c.version() + "; nothing changed";
        }
        String from = c.previousVersion() == null ? "(unset)" : "v" + c.previousVersion();
        return c.adapter() + " " + c.alias() + ": " + from + " -> v" + c.version() + " (" + verb + (c.forced() ? ", forced" : "")
                + "); rag-service replicas that serve " + c.adapter() + " hot-load it, no restart";
    }
}
