package dev.ragtune.common.manifest;

import static dev.ragtune.common.manifest.CandidateComparison.Basis.SAME_EVAL_SET;
import static dev.ragtune.common.manifest.CandidateComparison.Basis.SAME_JOB;
import static dev.ragtune.common.manifest.CandidateComparison.Metric.EVAL_LOSS;
import static dev.ragtune.common.manifest.CandidateComparison.Metric.EXACT_MATCH;
import static dev.ragtune.common.manifest.CandidateComparison.Metric.TRAIN_EXACT_MATCH;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.common.manifest.CandidateComparison.Figures;
import dev.ragtune.common.manifest.CandidateComparison.Loss;
import dev.ragtune.common.manifest.CandidateComparison.Metric;
import dev.ragtune.common.manifest.CandidateComparison.Outcome;
import dev.ragtune.common.manifest.CandidateComparison.Status;

class CandidateComparisonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Figures figures(String evalSet, double loss, double em, double trainEm) {
        return Figures.measured(evalSet, Map.of(EVAL_LOSS, loss, EXACT_MATCH, em, TRAIN_EXACT_MATCH, trainEm));
    }

    private static Figures manifest(String json) throws Exception {
        return Figures.fromManifest(JSON.readTree(json));
    }

    @Test
    void noProductionIsNotComparableOnEitherBasis() {
        for (CandidateComparison.Basis basis : CandidateComparison.Basis.values()) {
            Outcome o = CandidateComparison.compare(basis, figures("s", 1, 0, 0), null);
            assertThat(o.status()).isEqualTo(Status.NO_PRODUCTION);
            assertThat(o.worse()).isFalse();
            assertThat(o.comparable()).isFalse();
            assertThat(o.candidateEvalSet()).isEqualTo("s");
            assertThat(o.productionEvalSet()).isNull();
        }
    }

    @Test
    void equalIsNotWorseAndBetterIsNotWorse() {
        Outcome equal = CandidateComparison.compare(SAME_JOB, figures("s", 1.2, 0.5, 0.9), figures("s", 1.2, 0.5, 0.9));
        assertThat(equal.status()).isEqualTo(Status.NOT_WORSE);
        assertThat(equal.comparable()).isTrue();
        assertThat(equal.worse()).isFalse();
        assertThat(equal.compared()).containsExactly(EXACT_MATCH, TRAIN_EXACT_MATCH, EVAL_LOSS);
        assertThat(CandidateComparison.compare(SAME_JOB, figures("s", 1.0, 0.6, 1.0), figures("s", 1.2, 0.5, 0.9)).status())
                .isEqualTo(Status.NOT_WORSE);
    }

    @Test
    void strictlyWorseInEachMetricsDirectionLosesIt() {
        // eval_loss: lower is better; the exact-match figures: higher is better; no tolerance
        assertThat(CandidateComparison.compare(SAME_JOB, figures(null, 1.2000001, 0.5, 0.9), figures(null, 1.2, 0.5, 0.9)).losses())
                .containsExactly(new Loss(EVAL_LOSS, 1.2000001, 1.2));
        assertThat(CandidateComparison.compare(SAME_JOB, figures(null, 1.2, 0.49, 0.9), figures(null, 1.2, 0.5, 0.9)).losses())
                .containsExactly(new Loss(EXACT_MATCH, 0.49, 0.5));
        assertThat(CandidateComparison.compare(SAME_JOB, figures(null, 1.2, 0.5, 0.85), figures(null, 1.2, 0.5, 0.9)).losses())
                .containsExactly(new Loss(TRAIN_EXACT_MATCH, 0.85, 0.9));
        Outcome all = CandidateComparison.compare(SAME_JOB, figures(null, 1.5, 0.2, 0.5), figures(null, 1.2, 0.5, 0.9));
        assertThat(all.status()).isEqualTo(Status.WORSE);
        assertThat(all.worse()).isTrue();
        assertThat(all.comparable()).isTrue();
        // in the basis's order: what the staging reason lists
        assertThat(all.losses()).extracting(Loss::metric).containsExactly(EXACT_MATCH, TRAIN_EXACT_MATCH, EVAL_LOSS);
        assertThat(CandidateComparison.compare(SAME_EVAL_SET, figures("s", 1.5, 0.2, 0.5), figures("s", 1.2, 0.5, 0.9)).losses())
                .extracting(Loss::metric).containsExactly(EVAL_LOSS, EXACT_MATCH);
        assertThat(CandidateComparison.Direction.LOWER_IS_BETTER.worseSymbol()).isEqualTo(">");
        assertThat(CandidateComparison.Direction.HIGHER_IS_BETTER.worseSymbol()).isEqualTo("<");
    }

    @Test
    void sameEvalSetBasisRequiresTheSameNonEmptyEvalSet() {
        Outcome differs = CandidateComparison.compare(SAME_EVAL_SET, figures("b", 9, 0, 0), figures("a", 1, 1, 1));
        assertThat(differs.status()).isEqualTo(Status.EVAL_SET_DIFFERS);
        assertThat(differs.worse()).isFalse();
        assertThat(differs.comparable()).isFalse();
        assertThat(differs.candidateEvalSet()).isEqualTo("b");
        assertThat(differs.productionEvalSet()).isEqualTo("a");
        assertThat(CandidateComparison.compare(SAME_EVAL_SET, figures(null, 9, 0, 0), figures("a", 1, 1, 1)).status())
                .isEqualTo(Status.EVAL_SET_DIFFERS);
        assertThat(CandidateComparison.compare(SAME_EVAL_SET, figures("a", 9, 0, 0), figures(" ", 1, 1, 1)).status())
                .isEqualTo(Status.EVAL_SET_DIFFERS);
        assertThat(CandidateComparison.compare(SAME_EVAL_SET, figures(null, 9, 0, 0), figures(null, 1, 1, 1)).status())
                .as("two missing eval sets are not the same eval set").isEqualTo(Status.EVAL_SET_DIFFERS);
        assertThat(CandidateComparison.compare(SAME_EVAL_SET, figures("a", 9, 0, 0), figures("a", 1, 1, 1)).status())
                .isEqualTo(Status.WORSE);
    }

    @Test
    void sameJobBasisIgnoresTheEvalSetAndComparesTheTrainingSample() {
        // the parameterised difference: the same figures, judged on each basis
        Figures candidate = figures("b", 1.0, 0.5, 0.5);
        Figures production = figures("a", 1.0, 0.5, 0.9);
        assertThat(CandidateComparison.compare(SAME_JOB, candidate, production).losses())
                .containsExactly(new Loss(TRAIN_EXACT_MATCH, 0.5, 0.9));
        assertThat(CandidateComparison.compare(SAME_EVAL_SET, candidate, production).status()).isEqualTo(Status.EVAL_SET_DIFFERS);
        Outcome sameSet = CandidateComparison.compare(SAME_EVAL_SET, figures("a", 1.0, 0.5, 0.5), production);
        assertThat(sameSet.status()).as("train_exact_match is not compared across manifests").isEqualTo(Status.NOT_WORSE);
        assertThat(sameSet.compared()).containsExactly(EVAL_LOSS, EXACT_MATCH);
        assertThat(SAME_JOB.requiresSameEvalSet()).isFalse();
        assertThat(SAME_EVAL_SET.requiresSameEvalSet()).isTrue();
    }

    @Test
    void onlyMetricsMeasuredOnBothSidesAreCompared() {
        Map<Metric, Double> onlyLoss = new HashMap<>();
        onlyLoss.put(EVAL_LOSS, 2.0);
        onlyLoss.put(EXACT_MATCH, null);
        Outcome o = CandidateComparison.compare(SAME_EVAL_SET, Figures.measured("s", onlyLoss),
                Figures.measured("s", Map.of(EXACT_MATCH, 0.9, TRAIN_EXACT_MATCH, 0.9)));
        assertThat(o.status()).isEqualTo(Status.NO_COMMON_METRIC);
        assertThat(o.worse()).isFalse();
        assertThat(o.comparable()).isFalse();
        assertThat(o.compared()).isEmpty();
        assertThat(CandidateComparison.compare(SAME_JOB, Figures.measured(null, Map.of()), figures(null, 1, 1, 1)).status())
                .isEqualTo(Status.NO_COMMON_METRIC);
        assertThat(CandidateComparison.compare(SAME_JOB, Figures.measured(null, Map.of(EVAL_LOSS, 2.0, TRAIN_EXACT_MATCH, 0.9)),
                figures(null, 1, 0, 0.9)).losses()).containsExactly(new Loss(EVAL_LOSS, 2.0, 1.0));
    }

    @Test
    void inMemoryFiguresDropNonFiniteValues() {
        Figures f = Figures.measured(" ", Map.of(EVAL_LOSS, Double.NaN, EXACT_MATCH, Double.POSITIVE_INFINITY, TRAIN_EXACT_MATCH, 0.5));
        assertThat(f.evalSet()).isNull();
        assertThat(f.values()).containsOnlyKeys(TRAIN_EXACT_MATCH);
        assertThat(f.value(EVAL_LOSS)).isNull();
        assertThat(CandidateComparison.compare(SAME_JOB, figures(null, Double.POSITIVE_INFINITY, 0.5, 0.9), figures(null, 1.2, 0.5, 0.9))
                .status()).isEqualTo(Status.NOT_WORSE);
        assertThat(CandidateComparison.compare(SAME_JOB, figures(null, Double.NaN, Double.NaN, 0.9), figures(null, 1.2, 0.5, 0.9))
                .compared()).containsExactly(TRAIN_EXACT_MATCH);
    }

    @Test
    void manifestFiguresAreTheJsonNumbersUnderTheMetricNames() throws Exception {
        // the wire names on purpose: they check the constants
        Figures f = manifest("""
                {"metrics": {"evalSet": "support-v1", "eval_loss": 0.6, "exact_match": "0.5", "train_exact_match": null, "perplexity": 1.8}}""");
        assertThat(f.evalSet()).isEqualTo("support-v1");
        assertThat(f.values()).isEqualTo(Map.of(EVAL_LOSS, 0.6));
        assertThat(manifest("{\"metrics\": {\"evalSet\": 7, \"exact_match\": 1}}")).isEqualTo(new Figures(null, Map.of(EXACT_MATCH, 1.0)));
        assertThat(manifest("{\"metrics\": [1]}")).isEqualTo(new Figures(null, Map.of()));
        assertThat(manifest("{}")).isEqualTo(new Figures(null, Map.of()));
        assertThat(Figures.fromManifest(null)).isEqualTo(new Figures(null, Map.of()));
        // a number too large for a double is still a number: it reads as infinity and is compared
        Outcome huge = CandidateComparison.compare(SAME_EVAL_SET, manifest("{\"metrics\": {\"evalSet\": \"s\", \"eval_loss\": 1e400}}"),
                manifest("{\"metrics\": {\"evalSet\": \"s\", \"eval_loss\": 0.5}}"));
        assertThat(huge.losses()).containsExactly(new Loss(EVAL_LOSS, Double.POSITIVE_INFINITY, 0.5));
    }

    @Test
    void metricNamesAreTheWireFormat() {
        assertThat(List.of(EVAL_LOSS.key(), EXACT_MATCH.key(), TRAIN_EXACT_MATCH.key()))
                .containsExactly("eval_loss", "exact_match", "train_exact_match");
        assertThat(MetricNames.EVAL_SET).isEqualTo("evalSet");
        JsonNode m = VersionManifest.metrics(JSON.createObjectNode().set("metrics", JSON.createObjectNode().put("evalSet", "x")));
        assertThat(m.path(MetricNames.EVAL_SET).asText()).isEqualTo("x");
        assertThat(VersionManifest.metrics(null).isMissingNode()).isTrue();
    }
}
