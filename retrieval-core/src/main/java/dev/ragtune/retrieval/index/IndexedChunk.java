package dev.ragtune.retrieval.index;

import java.util.Map;

/**
 * A chunk as the index holds it.
 *
 * @param documentId  the document's id
 * @param title       the document's title (may be null)
 * @param chunkId     {@code <documentId>#<ordinal>}
 * @param ordinal     position in the document, from 0
 * @param text        the chunk's text
 * @param headingPath headings above the chunk joined with {@code " > "} (may be empty)
 * @param start       first char in the document's text
 * @param end         last char (exclusive) in the document's text
 * @param language    detected language (ISO 639-1) or {@code xx}
 * @param metadata    the document's metadata (exact-match filters)
 * @param vector      the chunk's embedding (null in search results)
 */
public record IndexedChunk(String documentId, String title, String chunkId, int ordinal, String text, String headingPath,
                           int start, int end, String language, Map<String, String> metadata, float[] vector) {

    public static String chunkId(String documentId, int ordinal) {
        return documentId + "#" + ordinal;
    }
}
