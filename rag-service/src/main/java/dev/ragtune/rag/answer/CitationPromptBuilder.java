package dev.ragtune.rag.answer;

import java.util.ArrayList;
import java.util.List;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;

/**
 * Builds the prompt of a cited answer: the retrieved chunks, numbered {@code [1]…[n]} in rank
 * order, then the question, in the model's chat template, with a system instruction to answer from
 * the sources and cite them as {@code [n]}. The prompt is fitted to the context window so that
 * prompt + {@code maxTokens} ≤ the model's context: the lowest-ranked chunks are dropped first,
 * then the last remaining chunk's text is truncated.
 */
public final class CitationPromptBuilder {
    public static final String DEFAULT_INSTRUCTION = "Answer the question using only the numbered sources. "
            + "Cite every source you use as [n], for example [1] or [2][3]. "
            + "If the sources do not contain the answer, say that you do not know.";
    static final String TRUNCATION_MARK = " …";

    private final ModelTokenizer tokenizer;
    private final int contextLength;
    private final String instruction;

    public CitationPromptBuilder(ModelTokenizer tokenizer, int contextLength, String instruction) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.instruction = instruction == null || instruction.isBlank() ? DEFAULT_INSTRUCTION : instruction;
    }

    public int contextLength() {
        return contextLength;
    }

    /** A question with its retrieved chunks (best first). */
    public BuiltPrompt build(String question, List<SourceChunk> chunks, int maxTokens) {
        return build(List.of(ChatMessage.user(question)), chunks, maxTokens);
    }

    /**
     * A conversation whose last message is the user's question, with the retrieved chunks (best
     * first; may be empty: then the conversation is rendered as it is).
     *
     * @throws PromptTooLongException when even without sources the conversation leaves no room for {@code maxTokens}
     */
    public BuiltPrompt build(List<ChatMessage> conversation, List<SourceChunk> chunks, int maxTokens) {
        if (conversation.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (maxTokens >= contextLength) {
            throw new PromptTooLongException("maxTokens " + maxTokens + " leaves no room for a prompt: the model's context is "
                    + contextLength + " tokens");
        }
        int budget = contextLength - maxTokens;
        if (chunks.isEmpty()) {
            return fitOrFail(conversation, List.of(), 0, false, budget, maxTokens);
        }
        // the largest k whose prompt fits (prompt length grows with k)
        int lo = 0;
        int hi = chunks.size();
        Rendered best = null;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            Rendered r = render(conversation, chunks.subList(0, mid));
            if (r.ids.length <= budget) {
                lo = mid;
                best = r;
            } else {
                hi = mid - 1;
            }
        }
        int kept = lo;
        if (kept == chunks.size()) {
            return result(best, chunks, 0, false, maxTokens);
        }
        // try to fit part of the next chunk: the longest prefix of its text that fits
        SourceChunk next = chunks.get(kept);
        int cLo = 0;
        int cHi = next.text().length();
        Rendered partial = null;
        while (cLo < cHi) {
            int mid = (cLo + cHi + 1) / 2;
            List<SourceChunk> candidate = new ArrayList<>(chunks.subList(0, kept));
            candidate.add(truncate(next, mid));
            Rendered r = render(conversation, candidate);
            if (r.ids.length <= budget) {
                cLo = mid;
                partial = r;
            } else {
                cHi = mid - 1;
            }
        }
        // a truncated chunk is worth adding only if a meaningful part of it fits
        if (partial != null && cLo >= Math.min(64, next.text().length())) {
            List<SourceChunk> used = new ArrayList<>(chunks.subList(0, kept));
            used.add(truncate(next, cLo));
            return result(partial, used, chunks.size() - kept - 1, true, maxTokens);
        }
        if (kept == 0) {
            return fitOrFail(conversation, List.of(), chunks.size(), false, budget, maxTokens);
        }
        return result(best, chunks.subList(0, kept), chunks.size() - kept, false, maxTokens);
    }

    private BuiltPrompt fitOrFail(List<ChatMessage> conversation, List<SourceChunk> used, int dropped, boolean truncated,
                                  int budget, int maxTokens) {
        Rendered r = render(conversation, used);
        if (r.ids.length > budget) {
            throw new PromptTooLongException("the prompt has " + r.ids.length + " tokens; with maxTokens " + maxTokens
                    + " it exceeds the model's context of " + contextLength + " tokens: shorten the question or lower maxTokens");
        }
        return result(r, used, dropped, truncated, maxTokens);
    }

    private static BuiltPrompt result(Rendered r, List<SourceChunk> used, int dropped, boolean truncated, int maxTokens) {
        return new BuiltPrompt(r.messages, r.text, r.ids, List.copyOf(used), dropped, truncated, maxTokens);
    }

    private static SourceChunk truncate(SourceChunk c, int chars) {
        int end = chars;
        if (end > 0 && end < c.text().length() && Character.isHighSurrogate(c.text().charAt(end - 1))) {
            end--;
        }
        return new SourceChunk(c.n(), c.documentId(), c.title(), c.text().substring(0, end) + TRUNCATION_MARK, c.score());
    }

    private record Rendered(List<ChatMessage> messages, String text, int[] ids) {
    }

    private Rendered render(List<ChatMessage> conversation, List<SourceChunk> sources) {
        List<ChatMessage> messages = messages(conversation, sources);
        String text = tokenizer.template().render(messages, true);
        return new Rendered(messages, text, tokenizer.encode(text));
    }

    /** The conversation with the instruction and the numbered sources put before the last user question. */
    List<ChatMessage> messages(List<ChatMessage> conversation, List<SourceChunk> sources) {
        if (sources.isEmpty()) {
            return List.copyOf(conversation);
        }
        List<ChatMessage> out = new ArrayList<>(conversation.size() + 1);
        int last = conversation.size() - 1;
        if ("system".equals(conversation.get(0).role())) {
            out.add(ChatMessage.system(conversation.get(0).content() + "\n\n" + instruction));
        } else {
            out.add(ChatMessage.system(instruction));
        }
        for (int i = "system".equals(conversation.get(0).role()) ? 1 : 0; i < last; i++) {
            out.add(conversation.get(i));
        }
        out.add(ChatMessage.user(sourcesBlock(sources) + "Question: " + conversation.get(last).content()));
        return out;
    }

    static String sourcesBlock(List<SourceChunk> sources) {
        StringBuilder sb = new StringBuilder("Sources:\n\n");
        for (SourceChunk c : sources) {
            sb.append('[').append(c.n()).append("] ");
            if (c.title() != null && !c.title().isBlank()) {
                sb.append(c.title().strip()).append('\n');
            }
            sb.append(c.text().strip()).append("\n\n");
        }
        return sb.toString();
    }
}
