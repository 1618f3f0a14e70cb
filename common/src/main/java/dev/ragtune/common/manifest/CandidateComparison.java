package dev.ragtune.common.manifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one answer to "is the candidate worse than production?", used by the tuning-worker's staging decision
 * ({@code StagingRule}, basis {@link Basis#SAME_JOB}) and the registry's promotion gate for the {@code production}
 * alias ({@code PromotionGate}, basis {@link Basis#SAME_EVAL_SET}).
 *
 * <h2>The rule</h2>
 * <ol>
 *   <li>No production version → {@link Status#NO_PRODUCTION} (nothing to be worse than).</li>
 *   <li>If the basis {@linkplain Basis#requiresSameEvalSet() requires the same eval set}: both sides must name the same
 *       non-empty {@link MetricNames#EVAL_SET}, otherwise {@link Status#EVAL_SET_DIFFERS}.</li>
 *   <li>Each of the basis's {@linkplain Basis#metrics() metrics} that is measured on <em>both</em> sides is compared:
 *       the candidate loses it when it is strictly worse in that metric's {@link Direction}
 *       ({@code eval_loss} higher, {@code exact_match} / {@code train_exact_match} lower). Equal is not worse; there
 *       is no tolerance. A metric missing on either side is not compared.</li>
 *   <li>No metric compared → {@link Status#NO_COMMON_METRIC}; otherwise {@link Status#WORSE} when it lost any,
 *       {@link Status#NOT_WORSE} when it lost none. Only {@code WORSE} counts as worse.</li>
 * </ol>
 *
 * <h2>The two bases (the difference between the two callers, on purpose)</h2>
 * <ul>
 *   <li>{@link Basis#SAME_JOB}, the worker's staging decision: the candidate and production were measured by the same
 *       job on the same eval split <em>and</em> the same training sample, so no eval-set check is needed and the
 *       training-sample figure counts too: {@code exact_match}, {@code train_exact_match}, {@code eval_loss}.</li>
 *   <li>{@link Basis#SAME_EVAL_SET}, the registry's gate: two stored manifests, usually from different jobs. Their
 *       {@code evalSet} identifies the eval split only; {@code train_exact_match} is measured on each job's own
 *       training sample, so it is not comparable across manifests and not compared: {@code eval_loss},
 *       {@code exact_match}, and only when both name the same {@code evalSet}.</li>
 * </ul>
 * The order of a basis's metrics is the order in which {@link Outcome#losses()} lists them (each caller's message).
 *
 * <h2>What "measured" means</h2>
 * {@link Figures} says which values are present; the two sources differ only where they already did:
 * {@link Figures#measured} (the worker's in-memory figures) drops non-finite values (NaN is "nothing measured", e.g.
 * no eval records; the worker writes such a figure as JSON {@code null}); {@link Figures#fromManifest} counts every
 * JSON number (a number too large for a double reads as infinity and is compared) and nothing else ({@code null},
 * strings, missing keys). The rule itself compares whatever two values are present.
 */
public final class CandidateComparison {

    private CandidateComparison() {
    }

    /** Which way a metric improves. */
    public enum Direction {
        HIGHER_IS_BETTER("<"), LOWER_IS_BETTER(">");

        private final String worseSymbol;

        Direction(String worseSymbol) {
            this.worseSymbol = worseSymbol;
        }

        /** Strictly worse: equal is not worse. */
        public boolean worse(double candidate, double production) {
            return this == HIGHER_IS_BETTER ? candidate < production : candidate > production;
        }

        /** How a loss reads between the candidate's and production's value: {@code <} or {@code >}. */
        public String worseSymbol() {
            return worseSymbol;
        }
    }

    /** The metrics the rule can compare, each under its manifest name. */
    public enum Metric {
        EVAL_LOSS(MetricNames.EVAL_LOSS, Direction.LOWER_IS_BETTER),
        EXACT_MATCH(MetricNames.EXACT_MATCH, Direction.HIGHER_IS_BETTER),
        TRAIN_EXACT_MATCH(MetricNames.TRAIN_EXACT_MATCH, Direction.HIGHER_IS_BETTER);

        private final String key;
        private final Direction direction;

        Metric(String key, Direction direction) {
            this.key = key;
            this.direction = direction;
        }

        /** The key in a manifest's {@code metrics} ({@link MetricNames}). */
        public String key() {
            return key;
        }

        public Direction direction() {
            return direction;
        }
    }

    /** What the two sides' figures have in common, which decides what may be compared. */
    public enum Basis {
        /** Measured by the same job on the same eval split and training sample: the worker's staging decision. */
        SAME_JOB(false, List.of(Metric.EXACT_MATCH, Metric.TRAIN_EXACT_MATCH, Metric.EVAL_LOSS)),
        /** Two manifests: comparable only with the same {@code evalSet}, and then only the eval-split figures: the registry's gate. */
        SAME_EVAL_SET(true, List.of(Metric.EVAL_LOSS, Metric.EXACT_MATCH));

        private final boolean requiresSameEvalSet;
        private final List<Metric> metrics;

        Basis(boolean requiresSameEvalSet, List<Metric> metrics) {
            this.requiresSameEvalSet = requiresSameEvalSet;
            this.metrics = metrics;
        }

        /** Whether both sides must name the same non-empty {@code evalSet} to be comparable. */
        public boolean requiresSameEvalSet() {
            return requiresSameEvalSet;
        }

        /** The metrics compared, in the order losses are reported. */
        public List<Metric> metrics() {
            return metrics;
        }
    }

    /**
     * One side's figures: its eval set ({@code null} when unknown) and the metrics it measured (absent = not measured).
     */
    public record Figures(String evalSet, Map<Metric, Double> values) {

        public Figures {
            evalSet = evalSet == null || evalSet.isBlank() ? null : evalSet;
            EnumMap<Metric, Double> copy = new EnumMap<>(Metric.class);
            values.forEach((m, v) -> {
                if (v != null) {
                    copy.put(m, v);
                }
            });
            values = Collections.unmodifiableMap(copy);
        }

        /** In-memory figures: a non-finite value (NaN: nothing measured) counts as not measured. */
        public static Figures measured(String evalSet, Map<Metric, Double> values) {
            EnumMap<Metric, Double> finite = new EnumMap<>(Metric.class);
            values.forEach((m, v) -> {
                if (v != null && Double.isFinite(v)) {
                    finite.put(m, v);
                }
            });
            return new Figures(evalSet, finite);
        }

        /**
         * A manifest's figures ({@link VersionManifest#metrics}): {@code evalSet} when it is a non-empty string, each metric
         * when it is a JSON number; a missing manifest has none.
         */
        public static Figures fromManifest(JsonNode manifest) {
            JsonNode m = VersionManifest.metrics(manifest);
            JsonNode set = m.get(MetricNames.EVAL_SET);
            EnumMap<Metric, Double> values = new EnumMap<>(Metric.class);
            for (Metric metric : Metric.values()) {
                JsonNode n = m.get(metric.key());
                if (n != null && n.isNumber()) {
                    values.put(metric, n.asDouble());
                }
            }
            return new Figures(set != null && set.isTextual() ? set.asText() : null, values);
        }

        /** The value of {@code metric}, or {@code null} when not measured. */
        public Double value(Metric metric) {
            return values.get(metric);
        }
    }

    /** The outcome's kind. Only {@link #WORSE} is worse; the first three are "not comparable". */
    public enum Status { NO_PRODUCTION, EVAL_SET_DIFFERS, NO_COMMON_METRIC, NOT_WORSE, WORSE }

    /** One metric the candidate lost. */
    public record Loss(Metric metric, double candidate, double production) {
    }

    /**
     * What the comparison found.
     *
     * @param candidateEvalSet  the candidate's eval set ({@code null}: none)
     * @param productionEvalSet production's eval set ({@code null}: none, or no production)
     * @param compared          the metrics compared (measured on both sides), in the basis's order
     * @param losses            the metrics the candidate lost, in the basis's order; empty unless {@link Status#WORSE}
     */
    public record Outcome(Status status, Basis basis, String candidateEvalSet, String productionEvalSet, List<Metric> compared,
                          List<Loss> losses) {
        public Outcome {
            compared = List.copyOf(compared);
            losses = List.copyOf(losses);
        }

        /** Whether the candidate is worse than production: it lost at least one compared metric. */
        public boolean worse() {
            return status == Status.WORSE;
        }

        /** Whether the two sides could be compared at all (a production version, the eval set the basis needs, a common metric). */
        public boolean comparable() {
            return status == Status.WORSE || status == Status.NOT_WORSE;
        }
    }

    /**
     * Compares {@code candidate} with {@code production} ({@code null}: there is no production version) on {@code basis}.
     */
    public static Outcome compare(Basis basis, Figures candidate, Figures production) {
        if (production == null) {
            return new Outcome(Status.NO_PRODUCTION, basis, candidate.evalSet(), null, List.of(), List.of());
        }
        if (basis.requiresSameEvalSet()
                && (candidate.evalSet() == null || production.evalSet() == null || !candidate.evalSet().equals(production.evalSet()))) {
            return new Outcome(Status.EVAL_SET_DIFFERS, basis, candidate.evalSet(), production.evalSet(), List.of(), List.of());
        }
        List<Metric> compared = new ArrayList<>();
        List<Loss> losses = new ArrayList<>();
        for (Metric metric : basis.metrics()) {
            Double c = candidate.value(metric);
            Double p = production.value(metric);
            if (c == null || p == null) {
                continue;
            }
            compared.add(metric);
            if (metric.direction().worse(c, p)) {
                losses.add(new Loss(metric, c, p));
            }
        }
        Status status = compared.isEmpty() ? Status.NO_COMMON_METRIC : losses.isEmpty() ? Status.NOT_WORSE : Status.WORSE;
        return new Outcome(status, basis, candidate.evalSet(), production.evalSet(), compared, losses);
    }
}
