package dev.ragtune.registry.aliases;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The promotion gate for the {@code production} alias.
 *
 * <p>Two versions are comparable only when both manifests name the same {@code metrics.evalSet}
 * (a non-empty string). Then the candidate is <em>worse</em> when, for a metric present as a number in
 * both manifests, it loses: {@code metrics.eval_loss} higher (lower is better) or
 * {@code metrics.exact_match} lower (higher is better). Equal values are not worse. Versions that are
 * not comparable (no current production version, missing or different evalSet, no common metric)
 * pass the gate.
 */
public final class PromotionGate {

    public static final String ALIAS = "production";

    /** The gate's decision: {@code worse} refuses the promotion unless forced. */
    public record Verdict(boolean comparable, boolean worse, String explanation) {
    }

    private PromotionGate() {
    }

    public static Verdict judge(JsonNode candidateManifest, int candidateVersion, JsonNode currentManifest, int currentVersion) {
        JsonNode cm = metrics(candidateManifest);
        JsonNode pm = metrics(currentManifest);
        String candidateSet = text(cm.get("evalSet"));
        String currentSet = text(pm.get("evalSet"));
        if (candidateSet == null || currentSet == null || !candidateSet.equals(currentSet)) {
            return new Verdict(false, false, "not comparable: evalSet of version " + candidateVersion + " is "
                    + quote(candidateSet) + ", of production version " + currentVersion + " is " + quote(currentSet));
        }
        List<String> losses = new ArrayList<>();
        boolean any = false;
        Double cl = number(cm.get("eval_loss"));
        Double pl = number(pm.get("eval_loss"));
        if (cl != null && pl != null) {
            any = true;
            if (cl > pl) {
                losses.add(String.format(Locale.ROOT, "eval_loss %s > %s", fmt(cl), fmt(pl)));
            }
        }
        Double ce = number(cm.get("exact_match"));
        Double pe = number(pm.get("exact_match"));
        if (ce != null && pe != null) {
            any = true;
            if (ce < pe) {
                losses.add(String.format(Locale.ROOT, "exact_match %s < %s", fmt(ce), fmt(pe)));
            }
        }
        if (!any) {
            return new Verdict(false, false, "not comparable: no eval_loss or exact_match in both manifests");
        }
        if (losses.isEmpty()) {
            return new Verdict(true, false, "version " + candidateVersion + " is not worse than production version "
                    + currentVersion + " on eval set '" + candidateSet + "'");
        }
        return new Verdict(true, true, "version " + candidateVersion + " is worse than production version " + currentVersion
                + " on eval set '" + candidateSet + "': " + String.join(", ", losses));
    }

    private static JsonNode metrics(JsonNode manifest) {
        JsonNode m = manifest == null ? null : manifest.get("metrics");
        return m != null && m.isObject() ? m : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    private static Double number(JsonNode n) {
        return n != null && n.isNumber() ? n.asDouble() : null;
    }

    private static String quote(String s) {
        return s == null ? "missing" : "'" + s + "'";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
