package dev.ragtune.common.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetSplitTest {

    @Test
    void theSameIdAlwaysLandsInTheSameBucket() {
        for (int i = 0; i < 1000; i++) {
            assertThat(DatasetSplit.bucket("support-bot", "r-" + i)).isEqualTo(DatasetSplit.bucket("support-bot", "r-" + i))
                    .isBetween(0, DatasetSplit.BUCKETS - 1);
        }
        // pinned values: the split must not change between releases (stored buckets and other readers rely on it)
        assertThat(DatasetSplit.bucket("support-bot", "r-1")).isEqualTo(expectedBucket("support-bot", "r-1"));
    }

    @Test
    void aboutTenPercentAreEvalByDefault() {
        DatasetSplit split = new DatasetSplit(0.1);
        assertThat(split.evalBuckets()).isEqualTo(1000);
        int eval = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            eval += split.isEval("support-bot", "record-" + i) ? 1 : 0;
        }
        // binomial(20000, 0.1): mean 2000, sd 42; ±200 is beyond 4.7 sd
        assertThat(eval).isBetween(1800, 2200);
    }

    @Test
    void theSplitIsPerAdapter() {
        DatasetSplit split = new DatasetSplit(0.1);
        int same = 0;
        int evalA = 0;
        for (int i = 0; i < 5000; i++) {
            boolean a = split.isEval("adapter-a", "id-" + i);
            boolean b = split.isEval("adapter-b", "id-" + i);
            evalA += a ? 1 : 0;
            same += a && b ? 1 : 0;
        }
        assertThat(evalA).isPositive();
        assertThat(same).as("eval sets of two adapters are independent, not the same ids").isLessThan(evalA / 2);
    }

    @Test
    void fractionsAreBucketCounts() {
        assertThat(new DatasetSplit(0).evalBuckets()).isZero();
        assertThat(new DatasetSplit(0.25).evalBuckets()).isEqualTo(2500);
        assertThat(new DatasetSplit(0).isEval("a", "x")).isFalse();
        assertThatThrownBy(() -> new DatasetSplit(1)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new DatasetSplit(-0.1)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new DatasetSplit(Double.NaN)).hasMessageContaining("[0, 1)");
    }

    /** The documented rule, written out independently: first 4 bytes of sha256(adapter + "\n" + id), unsigned, mod 10,000. */
    private static int expectedBucket(String adapter, String id) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest((adapter + "\n" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return (int) (Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(d, 0, 4).getInt()) % 10_000);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
