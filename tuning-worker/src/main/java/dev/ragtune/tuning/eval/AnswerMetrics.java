package dev.ragtune.tuning.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact match and token-F1 of one answer against its reference.
 *
 * <p><b>Exact match</b>: 1 when the two texts are equal after {@link AnswerNormalizer#normalize}, else 0.
 *
 * <p><b>Token-F1</b> (as in SQuAD, without English article removal so that it stays language-neutral):
 * both texts are normalised, every punctuation character is replaced by a space, and the result is
 * split into tokens: whitespace-separated words, except that each CJK character (Han, Hiragana,
 * Katakana, Hangul, CJK symbols) is a token of its own, since those scripts do not separate words
 * by spaces. With {@code common} = the size of the multiset intersection of the two token bags,
 * precision = common / |answer tokens|, recall = common / |reference tokens| and
 * F1 = 2·P·R / (P + R); 0 when nothing is shared; 1 when both have no tokens, 0 when only one has none.
 */
public final class AnswerMetrics {
    private AnswerMetrics() {
    }

    public static boolean exactMatch(String answer, String reference) {
        return AnswerNormalizer.normalize(answer).equals(AnswerNormalizer.normalize(reference));
    }

    public static double tokenF1(String answer, String reference) {
        List<String> a = tokens(answer);
        List<String> r = tokens(reference);
        if (a.isEmpty() || r.isEmpty()) {
            return a.isEmpty() && r.isEmpty() ? 1.0 : 0.0;
        }
        Map<String, Integer> bag = new HashMap<>();
        for (String t : r) {
            bag.merge(t, 1, Integer::sum);
        }
        int common = 0;
        for (String t : a) {
            Integer left = bag.get(t);
            if (left != null && left > 0) {
                common++;
                bag.put(t, left - 1);
            }
        }
        if (common == 0) {
            return 0.0;
        }
        double precision = (double) common / a.size();
        double recall = (double) common / r.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** The tokens token-F1 compares (see the class comment). */
    public static List<String> tokens(String text) {
        String s = AnswerNormalizer.normalize(text);
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || AnswerNormalizer.isPunctuation(cp)) {
                flush(word, out);
            } else if (isCjk(cp)) {
                flush(word, out);
                out.add(new String(Character.toChars(cp)));
            } else {
                word.appendCodePoint(cp);
            }
        }
        flush(word, out);
        return out;
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (!word.isEmpty()) {
            out.add(word.toString());
            word.setLength(0);
        }
    }

    static boolean isCjk(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        if (script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL) {
            return true;
        }
        Character.UnicodeBlock block = Character.UnicodeBlock.of(cp);
        return block == Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION
                || block == Character.UnicodeBlock.HIRAGANA
                || block == Character.UnicodeBlock.KATAKANA
                || block == Character.UnicodeBlock.HALFWIDTH_AND_FULLWIDTH_FORMS;
    }
}
