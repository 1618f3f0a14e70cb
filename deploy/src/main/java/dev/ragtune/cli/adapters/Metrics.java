package dev.ragtune.cli.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtune.common.manifest.MetricNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation figures of a version (its manifest's {@code metrics}, {@link MetricNames}, which a job shows too) in one line, the
 * base model's beside each: {@code train_exact_match 1.00 (base 0.00), exact_match 0.33 (base 0.00), eval_loss 3.90 (base 5.10)}.
 */
public final class Metrics {
    static final List<String> SHOWN = List.of(MetricNames.TRAIN_EXACT_MATCH, MetricNames.EXACT_MATCH, MetricNames.EVAL_TOKEN_F1,
            MetricNames.EVAL_LOSS);

    private Metrics() {
    }

    public static String summary(JsonNode metrics) {
        if (metrics == null || !metrics.isObject()) {
            return "no metrics";
        }
        List<String> parts = new ArrayList<>();
        for (String name : SHOWN) {
            JsonNode v = metrics.get(name);
            if (v == null || !v.isNumber()) {
                continue;
            }
            String part = name + " " + format(v.asDouble());
            JsonNode base = metrics.path(MetricNames.BASE).get(name);
            if (base != null && base.isNumber()) {
                part += " (base " + format(base.asDouble()) + ")";
            }
            parts.add(part);
        }
        return parts.isEmpty() ? "no metrics" : String.join(", ", parts);
    }

    /** The compact form for tables: {@code train_em 1.00 em 0.33 loss 3.90}. */
    public static String compact(JsonNode metrics) {
        if (metrics == null || !metrics.isObject()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        add(parts, "train_em", metrics.get(MetricNames.TRAIN_EXACT_MATCH));
        add(parts, "em", metrics.get(MetricNames.EXACT_MATCH));
        add(parts, "loss", metrics.get(MetricNames.EVAL_LOSS));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    private static void add(List<String> parts, String label, JsonNode v) {
        if (v != null && v.isNumber()) {
            parts.add(label + " " + format(v.asDouble()));
        }
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
