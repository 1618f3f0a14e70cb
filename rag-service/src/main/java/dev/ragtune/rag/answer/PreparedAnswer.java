package dev.ragtune.rag.answer;

import java.util.UUID;

import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.rag.adapters.AdapterLease;

/**
 * An answer ready to generate: the adapter leased at the request's start, the retrieved sources and
 * the fitted prompt. The lease is released when the generation ends (or by {@link #abandon()}).
 *
 * @param question the last user message (what was retrieved for)
 * @param system   the conversation's own system message, if any (kept for training records)
 */
public record PreparedAnswer(UUID id, String endpoint, String question, ChatMessage system, AdapterLease lease,
                             BuiltPrompt prompt, SamplingParams params, double retrievalMs, long startNanos) {

    /** Releases the lease without generating. */
    public void abandon() {
        lease.close();
    }
}
