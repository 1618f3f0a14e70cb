package dev.ragtune.model.checkpoint;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often this process did the expensive things to a checkpoint, and the wall time they took:
 * opening it ({@link Checkpoint#open}: config, safetensors headers, every tensor's shape), hashing it
 * ({@link Checkpoint#contentHash}: every weight byte through SHA-256), loading its tokenizer and exporting it to
 * ONNX. Diagnostics, process-wide and never reset: benchmarks report the difference of two {@link #snapshot()}s,
 * and tests count with them that a job opens and hashes its base model once.
 */
public final class CheckpointCounters {
    /** What is counted. */
    public enum Operation {
        OPEN, HASH, TOKENIZER_LOAD, ONNX_EXPORT
    }

    private static final int N = Operation.values().length;
    private static final LongAdder[] COUNTS = adders();
    private static final LongAdder[] NANOS = adders();

    private CheckpointCounters() {
    }

    /** Counts one {@code operation} that started at {@code startNanos} ({@link System#nanoTime()}) and just ended. */
    public static void record(Operation operation, long startNanos) {
        COUNTS[operation.ordinal()].increment();
        NANOS[operation.ordinal()].add(System.nanoTime() - startNanos);
    }

    public static Snapshot snapshot() {
        long[] c = new long[N];
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            c[i] = COUNTS[i].sum();
            t[i] = NANOS[i].sum();
        }
        return new Snapshot(c, t);
    }

    /** The counters at one moment; {@link #since} gives what happened between two moments. */
    public static final class Snapshot {
        private final long[] counts;
        private final long[] nanos;

        private Snapshot(long[] counts, long[] nanos) {
            this.counts = counts;
            this.nanos = nanos;
        }

        public long count(Operation operation) {
            return counts[operation.ordinal()];
        }

        public double seconds(Operation operation) {
            return nanos[operation.ordinal()] / 1e9;
        }

        /** What was counted after {@code earlier}. */
        public Snapshot since(Snapshot earlier) {
            long[] c = new long[N];
            long[] t = new long[N];
            for (int i = 0; i < N; i++) {
                c[i] = counts[i] - earlier.counts[i];
                t[i] = nanos[i] - earlier.nanos[i];
            }
            return new Snapshot(c, t);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Operation op : Operation.values()) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(String.format(Locale.ROOT, "%s %d (%.3f s)", op.name().toLowerCase(Locale.ROOT),
                        count(op), seconds(op)));
            }
            return sb.toString();
        }
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[N];
        for (int i = 0; i < N; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
