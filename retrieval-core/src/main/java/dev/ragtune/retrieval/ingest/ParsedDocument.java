package dev.ragtune.retrieval.ingest;

/**
 * Text extracted from a document, normalised to blocks separated by blank lines with headings written as Markdown
 * ATX headings ({@code ## Title}), which is what {@link Chunker} reads.
 *
 * @param text        the normalised text
 * @param contentType the detected media type (e.g. {@code application/pdf})
 * @param title       the title the file declares (HTML {@code <title>}, PDF/DOCX metadata), or null
 */
public record ParsedDocument(String text, String contentType, String title) {
}
