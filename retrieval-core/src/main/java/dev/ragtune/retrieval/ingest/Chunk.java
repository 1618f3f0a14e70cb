package dev.ragtune.retrieval.ingest;

import java.util.List;

/**
 * One chunk of a document's text.
 *
 * @param ordinal     position among the document's chunks, from 0
 * @param text        the chunk's text, exactly {@code documentText.substring(start, end)}
 * @param start       first char (inclusive) in the document's text
 * @param end         last char (exclusive) in the document's text
 * @param headingPath the headings above the chunk, outermost first
 * @param tokens      tokens of the text (the embedding tokenizer, no special tokens)
 */
public record Chunk(int ordinal, String text, int start, int end, List<String> headingPath, int tokens) {

    public Chunk {
        headingPath = List.copyOf(headingPath);
    }

    /** The heading path as one line, {@code "A > B"}; empty when there is none. */
    public String headingLine() {
        return String.join(" > ", headingPath);
    }
}
