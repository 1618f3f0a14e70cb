package dev.ragtune.retrieval.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;

import org.apache.tika.detect.Detector;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.txt.TXTParser;
import org.xml.sax.SAXException;

import dev.ragtune.retrieval.ingest.DocumentRejectedException.Reason;

/**
 * Detects a file's type and extracts its text with Apache Tika: plain text, Markdown, HTML, PDF, DOCX (and legacy
 * DOC). Headings survive as Markdown headings (see {@link StructuredTextHandler}). Every problem a caller can cause is
 * a {@link DocumentRejectedException} naming the file and what is wrong. Thread-safe.
 */
public final class DocumentParser {

    /** Media types accepted, by base type. */
    public static final Set<String> SUPPORTED = Set.of(
            "text/plain", "text/markdown", "text/x-markdown", "text/x-web-markdown",
            "text/html", "application/xhtml+xml",
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/msword");
    private static final Set<String> PLAIN = Set.of("text/plain", "text/markdown", "text/x-markdown", "text/x-web-markdown");

    private final long maxBytes;
    private final AutoDetectParser parser = new AutoDetectParser();
    private final Parser textParser = new TXTParser();
    private final Detector detector = parser.getDetector();

    /** @param maxBytes the largest accepted file; larger → {@link Reason#TOO_LARGE} */
    public DocumentParser(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Reads at most {@code maxBytes + 1} bytes of the stream, so an oversize upload is refused without holding it all. */
    public byte[] readLimited(InputStream in, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge(name, total, true);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Refuses a size above the limit before anything is read. */
    public void checkSize(String name, long size) {
        if (size > maxBytes) {
            throw tooLarge(name, size, false);
        }
    }

    private DocumentRejectedException tooLarge(String name, long size, boolean atLeast) {
        return new DocumentRejectedException(Reason.TOO_LARGE, "file '" + name + "' is " + (atLeast ? "more than " : "")
                + size + " bytes; the limit is " + maxBytes + " bytes (ragtune.rag.ingest.max-document-bytes)");
    }

    /**
     * Parses a file.
     *
     * @param content      the bytes
     * @param fileName     the file's name (its extension helps detection), may be null
     * @param declaredType the media type the client declared, may be null (a hint; the content decides)
     */
    public ParsedDocument parse(byte[] content, String fileName, String declaredType) {
        String name = fileName == null || fileName.isBlank() ? "upload" : fileName;
        if (content.length == 0) {
            throw new DocumentRejectedException(Reason.EMPTY, "file '" + name + "' is empty (0 bytes)");
        }
        checkSize(name, content.length);
        Metadata metadata = new Metadata();
        if (fileName != null && !fileName.isBlank()) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        }
        if (declaredType != null && !declaredType.isBlank() && !declaredType.startsWith("application/octet-stream")) {
            metadata.set(Metadata.CONTENT_TYPE, declaredType);
        }
        String type;
        try (TikaInputStream in = TikaInputStream.get(content)) {
            type = detector.detect(in, metadata).getBaseType().toString().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new DocumentRejectedException(Reason.UNREADABLE, "cannot read file '" + name + "': " + e.getMessage(), e);
        }
        if (!SUPPORTED.contains(type)) {
            throw new DocumentRejectedException(Reason.UNSUPPORTED_TYPE, "file '" + name + "' is " + type
                    + ", which is not supported; send plain text, Markdown, HTML, PDF or DOCX");
        }
        StructuredTextHandler handler = new StructuredTextHandler();
        metadata.set(Metadata.CONTENT_TYPE, PLAIN.contains(type) ? "text/plain" : type);
        try (TikaInputStream in = TikaInputStream.get(content)) {
            (PLAIN.contains(type) ? textParser : parser).parse(in, handler, metadata, new ParseContext());
        } catch (EncryptedDocumentException e) {
            throw new DocumentRejectedException(Reason.UNREADABLE, "file '" + name + "' (" + type + ") is encrypted", e);
        } catch (TikaException | SAXException | IOException | RuntimeException e) {
            throw new DocumentRejectedException(Reason.UNREADABLE, "file '" + name + "' is not a readable " + describe(type)
                    + ": " + rootMessage(e), e);
        }
        String text = handler.text();
        if (text.isBlank()) {
            throw new DocumentRejectedException(Reason.NO_TEXT, "file '" + name + "' (" + type + ") contains no text"
                    + (type.equals("application/pdf") ? " (a scanned PDF without a text layer?)" : ""));
        }
        String title = metadata.get(TikaCoreProperties.TITLE);
        return new ParsedDocument(text, type, title == null || title.isBlank() ? null : title.strip());
    }

    /** Text given directly (JSON ingestion): treated as plain text / Markdown. */
    public ParsedDocument plainText(String text) {
        if (text == null || text.isBlank()) {
            throw new DocumentRejectedException(Reason.EMPTY, "text is required and must not be blank");
        }
        long bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new DocumentRejectedException(Reason.TOO_LARGE, "text is " + bytes + " bytes; the limit is " + maxBytes
                    + " bytes (ragtune.rag.ingest.max-document-bytes)");
        }
        return new ParsedDocument(StructuredTextHandler.normalise(text), "text/plain", null);
    }

    static String describe(String type) {
        return switch (type) {
            case "application/pdf" -> "PDF";
            case "application/vnd.openxmlformats-officedocument.wordprocessingml.document" -> "DOCX document";
            case "application/msword" -> "Word document";
            case "text/html", "application/xhtml+xml" -> "HTML document";
            default -> type + " document";
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }
}
