package dev.ragtune.tuning.eval;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The normalisation both answer metrics compare under, applied to the model's answer and to the
 * reference alike:
 * <ol>
 *   <li>Unicode NFKC (full-width forms such as {@code Ａ} or {@code ？} become their ordinary forms);</li>
 *   <li>case-folded ({@link Locale#ROOT} lower case);</li>
 *   <li>every run of whitespace collapsed to one space, leading and trailing whitespace trimmed;</li>
 *   <li>trailing punctuation stripped (any Unicode punctuation character, e.g. {@code . ! ? 。 ！ "}),
 *       repeatedly, together with whitespace between the punctuation marks.</li>
 * </ol>
 * So {@code "  The Zorbat river  is VIOLET. "} and {@code "the zorbat river is violet"} are the same
 * answer; inner punctuation ({@code "Kestrin, Drovania"}) is kept.
 */
public final class AnswerNormalizer {
    private AnswerNormalizer() {
    }

    public static String normalize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("answer text must not be null");
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        s = s.replaceAll("\\s+", " ").strip();
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (isPunctuation(cp) || Character.isWhitespace(cp)) {
                end -= Character.charCount(cp);
            } else {
                break;
            }
        }
        return s.substring(0, end);
    }

    static boolean isPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
