package dev.ragtune.retrieval.ingest;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ragtune.retrieval.embed.TextTokenCounter;

/**
 * Splits normalised document text (blocks separated by blank lines, Markdown ATX headings) into chunks of at most
 * {@code maxTokens} tokens of the embedding model's tokenizer:
 * <ul>
 * <li>a heading starts a new section: chunks never span two sections, and each chunk carries its heading path;</li>
 * <li>within a section, whole sentences are packed into a chunk (paragraph breaks included) until the next one would
 * not fit; sentences come from the JDK's Unicode sentence rules, which end a sentence at {@code . ! ?} and at
 * {@code 。！？} with no space after them;</li>
 * <li>a sentence longer than {@code maxTokens} is cut at token boundaries;</li>
 * <li>the next chunk of the same section starts with the last sentences of the previous one, up to
 * {@code overlapTokens}.</li>
 * </ul>
 * Chunk text is always an exact substring of the input, so offsets point into the stored document text. Thread-safe.
 */
public final class Chunker {

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})[ \\t]+(.+?)[ \\t#]*$");

    private final TextTokenCounter tokens;
    private final int maxTokens;
    private final int overlapTokens;

    public Chunker(TextTokenCounter tokens, int maxTokens, int overlapTokens) {
        if (maxTokens < 8) {
            throw new IllegalArgumentException("chunk size must be at least 8 tokens, got " + maxTokens);
        }
        if (overlapTokens < 0 || overlapTokens >= maxTokens) {
            throw new IllegalArgumentException("chunk overlap must be in [0, chunk size), got " + overlapTokens);
        }
        this.tokens = tokens;
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int overlapTokens() {
        return overlapTokens;
    }

    /** A sentence (or a piece of one) with its offsets and token count. */
    private record Unit(int start, int end, int tokens) {
    }

    public List<Chunk> chunk(String text) {
        List<Chunk> out = new ArrayList<>();
        List<String> headings = new ArrayList<>();
        List<Unit> section = new ArrayList<>();
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int lineEnd = text.indexOf('\n', pos);
            if (lineEnd < 0) {
                lineEnd = n;
            }
            String line = text.substring(pos, lineEnd);
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                pack(text, section, headings, out);
                section.clear();
                int level = h.group(1).length();
                while (headings.size() >= level) {
                    headings.remove(headings.size() - 1);
                }
                while (headings.size() < level - 1) {
                    headings.add("");
                }
                headings.add(h.group(2).strip());
                pos = lineEnd + 1;
                continue;
            }
            if (line.isBlank()) {
                pos = lineEnd + 1;
                continue;
            }
            // a paragraph: up to the next blank line or heading line
            int end = lineEnd;
            int next = lineEnd + 1;
            while (next < n) {
                int e = text.indexOf('\n', next);
                if (e < 0) {
                    e = n;
                }
                String l = text.substring(next, e);
                if (l.isBlank() || HEADING.matcher(l).matches()) {
                    break;
                }
                end = e;
                next = e + 1;
            }
            sentences(text, pos, end, section);
            pos = end + 1;
        }
        pack(text, section, headings, out);
        if (out.isEmpty() && !text.isBlank()) {
            // only headings: they are the text
            List<Unit> all = new ArrayList<>();
            sentences(text, 0, text.length(), all);
            pack(text, all, List.of(), out);
        }
        return out;
    }

    /** Adds the sentences of text[start, end) to {@code units}, long ones cut at token boundaries. */
    private void sentences(String text, int start, int end, List<Unit> units) {
        String para = text.substring(start, end);
        BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
        it.setText(para);
        int s = it.first();
        for (int e = it.next(); e != BreakIterator.DONE; s = e, e = it.next()) {
            int a = s;
            int b = e;
            while (a < b && Character.isWhitespace(para.charAt(a))) {
                a++;
            }
            while (b > a && Character.isWhitespace(para.charAt(b - 1))) {
                b--;
            }
            if (a == b) {
                continue;
            }
            String sentence = para.substring(a, b);
            int count = tokens.count(sentence);
            if (count <= maxTokens) {
                units.add(new Unit(start + a, start + b, count));
            } else {
                cut(sentence, start + a, units);
            }
        }
    }

    /** Cuts one over-long sentence into pieces of at most {@code maxTokens} tokens. */
    private void cut(String sentence, int offset, List<Unit> units) {
        int[] ends = tokens.tokenEnds(sentence);
        int from = 0;
        int tokenIndex = 0;
        while (tokenIndex < ends.length) {
            int last = Math.min(tokenIndex + maxTokens, ends.length) - 1;
            int to = ends[last];
            if (last == ends.length - 1) {
                to = sentence.length();
            }
            int a = from;
            while (a < to && Character.isWhitespace(sentence.charAt(a))) {
                a++;
            }
            if (a < to) {
                units.add(new Unit(offset + a, offset + to, last - tokenIndex + 1));
            }
            from = to;
            tokenIndex = last + 1;
        }
    }

    /** Packs one section's sentences into chunks with overlap. */
    private void pack(String text, List<Unit> units, List<String> headings, List<Chunk> out) {
        List<String> path = headings.stream().filter(h -> !h.isEmpty()).toList();
        List<Unit> current = new ArrayList<>();
        int total = 0;
        boolean hasNew = false;
        for (Unit u : units) {
            if (!current.isEmpty() && total + u.tokens() > maxTokens) {
                emit(text, current, path, out);
                // overlap: the last sentences of the emitted chunk, up to overlapTokens, that leave room for u
                List<Unit> carried = new ArrayList<>();
                int carriedTokens = 0;
                for (int i = current.size() - 1; i > 0; i--) {
                    Unit c = current.get(i);
                    if (carriedTokens + c.tokens() > overlapTokens || carriedTokens + c.tokens() + u.tokens() > maxTokens) {
                        break;
                    }
                    carried.add(0, c);
                    carriedTokens += c.tokens();
                }
                current = carried;
                total = carriedTokens;
                hasNew = false;
            }
            current.add(u);
            total += u.tokens();
            hasNew = true;
        }
        if (!current.isEmpty() && hasNew) {
            emit(text, current, path, out);
        }
    }

    private void emit(String text, List<Unit> units, List<String> path, List<Chunk> out) {
        int start = units.get(0).start();
        int end = units.get(units.size() - 1).end();
        String chunkText = text.substring(start, end);
        out.add(new Chunk(out.size(), chunkText, start, end, path, tokens.count(chunkText)));
    }
}
