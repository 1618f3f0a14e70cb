package dev.ragtune.retrieval.index;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

/**
 * Language of a text among a fixed set (ISO 639-1 codes), with Lingua (decision 005). Models load lazily, per language,
 * on first use. Thread-safe.
 */
public final class LanguageDetector {

    /** The code of text whose language is not recognised. */
    public static final String UNKNOWN = "xx";

    private final com.github.pemistahl.lingua.api.LanguageDetector detector;
    private final List<String> languages;

    public LanguageDetector(List<String> isoCodes) {
        List<IsoCode639_1> codes = new ArrayList<>();
        for (String c : isoCodes) {
            try {
                codes.add(IsoCode639_1.valueOf(c.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown language code '" + c + "' (ISO 639-1, e.g. en, ja, zh, uk)");
            }
        }
        if (codes.size() < 2) {
            throw new IllegalArgumentException("language detection needs at least two languages, got " + isoCodes);
        }
        this.languages = codes.stream().map(LanguageDetector::code).toList();
        this.detector = LanguageDetectorBuilder.fromIsoCodes639_1(codes.toArray(IsoCode639_1[]::new)).build();
    }

    public List<String> languages() {
        return languages;
    }

    /** The most likely language of the text, or {@link #UNKNOWN}. */
    public String detect(String text) {
        Language l = detector.detectLanguageOf(text);
        return l == Language.UNKNOWN ? UNKNOWN : code(l.getIsoCode639_1());
    }

    /** Confidence (0..1) of each language for the text, most likely first; empty when nothing is recognised. */
    public Map<String, Double> confidences(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        detector.computeLanguageConfidenceValues(text).forEach((l, v) -> {
            if (l != Language.UNKNOWN) {
                out.put(code(l.getIsoCode639_1()), v);
            }
        });
        return out;
    }

    private static String code(IsoCode639_1 c) {
        return c.name().toLowerCase(Locale.ROOT);
    }
}
