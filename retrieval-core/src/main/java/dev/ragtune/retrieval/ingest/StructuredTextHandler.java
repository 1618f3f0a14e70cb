package dev.ragtune.retrieval.ingest;

import java.util.Locale;
import java.util.Set;

import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Receives the XHTML events every Tika parser emits and writes the text as blocks separated by blank lines, with
 * {@code <h1>}…{@code <h6>} written as Markdown headings so that the chunker sees the document's structure whatever
 * its format was.
 */
final class StructuredTextHandler extends DefaultHandler {

    private static final Set<String> BLOCKS = Set.of("p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "pre",
            "blockquote", "section", "article", "header", "footer", "dd", "dt", "body", "figcaption", "caption");
    private static final Set<String> SKIPPED = Set.of("head", "script", "style", "title", "noscript");

    private final StringBuilder out = new StringBuilder();
    private final StringBuilder block = new StringBuilder();
    private int headingLevel;
    private int skipDepth;

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
        String name = name(localName, qName);
        if (SKIPPED.contains(name)) {
            skipDepth++;
            return;
        }
        int level = headingLevel(name);
        if (level > 0) {
            flush();
            headingLevel = level;
        } else if (BLOCKS.contains(name)) {
            flush();
        } else if (name.equals("br")) {
            block.append('\n');
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        String name = name(localName, qName);
        if (SKIPPED.contains(name)) {
            skipDepth = Math.max(0, skipDepth - 1);
            return;
        }
        if (headingLevel(name) > 0 || BLOCKS.contains(name)) {
            flush();
        }
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        if (skipDepth == 0) {
            block.append(ch, start, length);
        }
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) {
        characters(ch, start, length);
    }

    private void flush() {
        String text = block.toString();
        block.setLength(0);
        if (headingLevel > 0) {
            String heading = text.replaceAll("\\s+", " ").strip();
            if (!heading.isEmpty()) {
                separate();
                out.append("#".repeat(headingLevel)).append(' ').append(heading);
            }
            headingLevel = 0;
            return;
        }
        String body = normalise(text);
        if (!body.isEmpty()) {
            separate();
            out.append(body);
        }
    }

    private void separate() {
        if (!out.isEmpty()) {
            out.append("\n\n");
        }
    }

    /** Trailing spaces off each line, runs of blank lines down to one, no leading or trailing blank lines. */
    static String normalise(String text) {
        String t = text.replace("\r\n", "\n").replace('\r', '\n').replace('\u00a0', ' ').replace("\f", "\n\n");
        t = t.replaceAll("[ \\t\\x0B]+\\n", "\n").replaceAll("\\n{3,}", "\n\n");
        return t.strip();
    }

    String text() {
        flush();
        return out.toString();
    }

    private static String name(String localName, String qName) {
        String n = localName == null || localName.isEmpty() ? qName : localName;
        return n == null ? "" : n.toLowerCase(Locale.ROOT);
    }

    private static int headingLevel(String name) {
        if (name.length() == 2 && name.charAt(0) == 'h' && name.charAt(1) >= '1' && name.charAt(1) <= '6') {
            return name.charAt(1) - '0';
        }
        return 0;
    }
}
