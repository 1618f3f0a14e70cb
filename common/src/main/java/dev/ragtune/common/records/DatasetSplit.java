package dev.ragtune.common.records;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The deterministic train/eval split of an adapter's records. Each record falls in a bucket 0..9999 from
 * the first four bytes (big-endian, unsigned) of {@code sha256(adapter + "\n" + id)}, modulo 10,000; it
 * belongs to the eval split when its bucket is below {@code round(evalFraction × 10,000)}. The bucket is
 * stored with each revision ({@code training_records.split_bucket}), so the split can be asked in SQL:
 * {@code split_bucket < :evalBuckets}. The same id always lands in the same split, whoever computes it.
 */
public final class DatasetSplit {

    public static final int BUCKETS = 10_000;

    private final int evalBuckets;

    public DatasetSplit(double evalFraction) {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("eval fraction must be in [0, 1), got " + evalFraction);
        }
        this.evalBuckets = (int) Math.round(evalFraction * BUCKETS);
    }

    /** Records whose bucket is below this are eval records. */
    public int evalBuckets() {
        return evalBuckets;
    }

    public boolean isEval(int bucket) {
        return bucket < evalBuckets;
    }

    public boolean isEval(String adapter, String id) {
        return isEval(bucket(adapter, id));
    }

    public static int bucket(String adapter, String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((adapter + "\n" + id).getBytes(StandardCharsets.UTF_8));
            long v = ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
            return (int) (v % BUCKETS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
