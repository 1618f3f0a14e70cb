package dev.ragtune.registry.aliases;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ragtune.common.manifest.CandidateComparison;
import dev.ragtune.common.manifest.CandidateComparison.Basis;
import dev.ragtune.common.manifest.CandidateComparison.Figures;
import dev.ragtune.common.manifest.CandidateComparison.Loss;
import dev.ragtune.common.manifest.CandidateComparison.Outcome;
import dev.ragtune.common.manifest.MetricNames;

/**
 * The promotion gate for the {@code production} alias: {@link CandidateComparison} on basis
 * {@link Basis#SAME_EVAL_SET}, with the figures read from the two versions' manifests ({@link Figures#fromManifest}).
 *
 * <p>Two versions are comparable only when both manifests name the same {@code metrics.evalSet}
 * (a non-empty string). Then the candidate is <em>worse</em> when, for a metric present as a number in
 * both manifests, it loses: {@code metrics.eval_loss} higher (lower is better) or
 * {@code metrics.exact_match} lower (higher is better). Equal values are not worse. Versions that are
 * not comparable (no current production version, missing or different evalSet, no common metric)
 * pass the gate. {@code train_exact_match} is not compared: each job measures it on its own training sample.
 */
public final class PromotionGate {

    public static final String ALIAS = "production";

    private static final Basis BASIS = Basis.SAME_EVAL_SET;

    /** The gate's decision: {@code worse} refuses the promotion unless forced. */
    public record Verdict(boolean comparable, boolean worse, String explanation) {
    }

    private PromotionGate() {
    }

    public static Verdict judge(JsonNode candidateManifest, int candidateVersion, JsonNode currentManifest, int currentVersion) {
        Outcome o = CandidateComparison.compare(BASIS, Figures.fromManifest(candidateManifest), Figures.fromManifest(currentManifest));
        return switch (o.status()) {
            case NO_PRODUCTION -> new Verdict(false, false, "not comparable: no production version");
            case EVAL_SET_DIFFERS -> new Verdict(false, false, "not comparable: " + MetricNames.EVAL_SET + " of version " + candidateVersion
                    + " is " + quote(o.candidateEvalSet()) + ", of production version " + currentVersion + " is " + quote(o.productionEvalSet()));
            case NO_COMMON_METRIC -> new Verdict(false, false, "not comparable: no "
                    + BASIS.metrics().stream().map(CandidateComparison.Metric::key).collect(Collectors.joining(" or ")) + " in both manifests");
            case NOT_WORSE -> new Verdict(true, false, "version " + candidateVersion + " is not worse than production version "
                    + currentVersion + " on eval set '" + o.candidateEvalSet() + "'");
            case WORSE -> new Verdict(true, true, "version " + candidateVersion + " is worse than production version " + currentVersion
                    + " on eval set '" + o.candidateEvalSet() + "': " + describe(o.losses()));
        };
    }

    private static String describe(List<Loss> losses) {
        return losses.stream().map(l -> String.format(Locale.ROOT, "%s %s %s %s", l.metric().key(), fmt(l.candidate()),
                l.metric().direction().worseSymbol(), fmt(l.production()))).collect(Collectors.joining(", "));
    }

    private static String quote(String s) {
        return s == null ? "missing" : "'" + s + "'";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
