package dev.ragtune.registry.aliases;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The gate's verdicts and explanations exactly as the API returns them (409 message, the {@code gate} field,
 * the {@code FORCED:} history reason). The literal manifest keys are on purpose: they are the wire format.
 */
class PromotionGateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode m(String metrics) throws Exception {
        return JSON.readTree("{\"metrics\": " + metrics + "}");
    }

    @Test
    void worseOnEitherEvalMetricIsRefusedNamingBoth() throws Exception {
        PromotionGate.Verdict v = PromotionGate.judge(m("{\"evalSet\": \"s\", \"eval_loss\": 0.95, \"exact_match\": 0.3}"), 3,
                m("{\"evalSet\": \"s\", \"eval_loss\": 0.6, \"exact_match\": 0.55}"), 2);
        assertThat(v).isEqualTo(new PromotionGate.Verdict(true, true,
                "version 3 is worse than production version 2 on eval set 's': eval_loss 0.95 > 0.6, exact_match 0.3 < 0.55"));
    }

    @Test
    void equalIsNotWorseAndWholeNumbersPrintWithoutFraction() throws Exception {
        assertThat(PromotionGate.judge(m("{\"evalSet\": \"s\", \"eval_loss\": 1, \"exact_match\": 0.5}"), 2,
                m("{\"evalSet\": \"s\", \"eval_loss\": 1.0, \"exact_match\": 0.5}"), 1))
                .isEqualTo(new PromotionGate.Verdict(true, false, "version 2 is not worse than production version 1 on eval set 's'"));
        assertThat(PromotionGate.judge(m("{\"evalSet\": \"s\", \"eval_loss\": 2}"), 2, m("{\"evalSet\": \"s\", \"eval_loss\": 1}"), 1)
                .explanation()).endsWith(": eval_loss 2 > 1");
    }

    @Test
    void differentMissingOrBlankEvalSetIsNotComparable() throws Exception {
        assertThat(PromotionGate.judge(m("{\"evalSet\": \"b\", \"eval_loss\": 9}"), 2, m("{\"evalSet\": \"a\", \"eval_loss\": 1}"), 1))
                .isEqualTo(new PromotionGate.Verdict(false, false, "not comparable: evalSet of version 2 is 'b', of production version 1 is 'a'"));
        assertThat(PromotionGate.judge(m("{\"eval_loss\": 9}"), 2, m("{\"evalSet\": \"a\", \"eval_loss\": 1}"), 1))
                .isEqualTo(new PromotionGate.Verdict(false, false, "not comparable: evalSet of version 2 is missing, of production version 1 is 'a'"));
        assertThat(PromotionGate.judge(m("{\"evalSet\": \" \", \"eval_loss\": 9}"), 2, m("{\"evalSet\": 7, \"eval_loss\": 1}"), 1))
                .isEqualTo(new PromotionGate.Verdict(false, false, "not comparable: evalSet of version 2 is missing, of production version 1 is missing"));
        assertThat(PromotionGate.judge(JSON.readTree("{\"metrics\": [1]}"), 2, null, 1))
                .isEqualTo(new PromotionGate.Verdict(false, false, "not comparable: evalSet of version 2 is missing, of production version 1 is missing"));
    }

    @Test
    void onlyEvalLossAndExactMatchCountAndOnlyAsNumbersOnBothSides() throws Exception {
        // train_exact_match is measured on each job's own training sample: the gate does not compare it
        assertThat(PromotionGate.judge(m("{\"evalSet\": \"s\", \"train_exact_match\": 0.1, \"eval_loss\": null, \"exact_match\": \"0.1\"}"), 2,
                m("{\"evalSet\": \"s\", \"train_exact_match\": 0.9, \"eval_loss\": 0.5, \"exact_match\": 0.9}"), 1))
                .isEqualTo(new PromotionGate.Verdict(false, false, "not comparable: no eval_loss or exact_match in both manifests"));
        assertThat(PromotionGate.judge(m("{\"evalSet\": \"s\", \"train_exact_match\": 0.1, \"exact_match\": 0.9}"), 2,
                m("{\"evalSet\": \"s\", \"train_exact_match\": 0.9, \"eval_loss\": 0.5, \"exact_match\": 0.9}"), 1))
                .isEqualTo(new PromotionGate.Verdict(true, false, "version 2 is not worse than production version 1 on eval set 's'"));
    }

    @Test
    void aNumberTooLargeForADoubleStillCounts() throws Exception {
        assertThat(PromotionGate.judge(m("{\"evalSet\": \"s\", \"eval_loss\": 1e400}"), 2, m("{\"evalSet\": \"s\", \"eval_loss\": 0.5}"), 1))
                .isEqualTo(new PromotionGate.Verdict(true, true,
                        "version 2 is worse than production version 1 on eval set 's': eval_loss Infinity > 0.5"));
    }
}
