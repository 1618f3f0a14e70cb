package dev.ragtune.retrieval.index;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ja.JapaneseAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.uk.UkrainianMorfologikAnalyzer;

/**
 * One Lucene analyzer per language, each for its own text field {@code t.<code>}: English stemmed (Porter), Japanese
 * with Kuromoji (search mode: compounds also split), Chinese as CJK bigrams (Simplified and Traditional alike),
 * Ukrainian with the Morfologik dictionary (lemmas), Russian/German/French/Spanish with Lucene's stemmers, anything
 * else with the standard analyzer in {@code t.xx}.
 */
public final class LanguageAnalyzers implements AutoCloseable {

    public static final String FIELD_PREFIX = "t.";

    private final Map<String, Analyzer> byLanguage = new HashMap<>();
    private final PerFieldAnalyzerWrapper perField;

    public LanguageAnalyzers(List<String> languages) {
        for (String l : languages) {
            byLanguage.put(l, create(l));
        }
        byLanguage.put(LanguageDetector.UNKNOWN, new StandardAnalyzer());
        Map<String, Analyzer> fields = new HashMap<>();
        byLanguage.forEach((l, a) -> fields.put(field(l), a));
        perField = new PerFieldAnalyzerWrapper(new StandardAnalyzer(), fields);
    }

    static Analyzer create(String language) {
        return switch (language) {
            case "en" -> new EnglishAnalyzer();
            case "ja" -> new JapaneseAnalyzer();
            case "zh" -> new CJKAnalyzer();
            case "uk" -> new UkrainianMorfologikAnalyzer();
            case "ru" -> new RussianAnalyzer();
            case "de" -> new GermanAnalyzer();
            case "fr" -> new FrenchAnalyzer();
            case "es" -> new SpanishAnalyzer();
            default -> new StandardAnalyzer();
        };
    }

    /** The text field of a language. */
    public static String field(String language) {
        return FIELD_PREFIX + language;
    }

    /** The language codes with a field, {@link LanguageDetector#UNKNOWN} included. */
    public java.util.Set<String> languages() {
        return byLanguage.keySet();
    }

    public Analyzer analyzer(String language) {
        Analyzer a = byLanguage.get(language);
        return a == null ? byLanguage.get(LanguageDetector.UNKNOWN) : a;
    }

    /** The language a chunk is indexed under: its own if it has an analyzer, else {@link LanguageDetector#UNKNOWN}. */
    public String indexLanguage(String detected) {
        return byLanguage.containsKey(detected) ? detected : LanguageDetector.UNKNOWN;
    }

    /** Analyzer for the whole index: each {@code t.<code>} field with its language's analyzer. */
    public Analyzer perField() {
        return perField;
    }

    @Override
    public void close() {
        byLanguage.values().forEach(Analyzer::close);
        perField.close();
    }
}
