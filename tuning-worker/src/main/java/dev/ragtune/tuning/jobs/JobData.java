package dev.ragtune.tuning.jobs;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.tuning.eval.EvalExample;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * A job's data, split from its snapshot:
 * <ul>
 *   <li>{@code train}: every training-split record, in seq order (what the adapter learns);</li>
 *   <li>{@code eval}: every eval-split record (loss, perplexity, exact match and token-F1 of the eval
 *       split: generalisation);</li>
 *   <li>{@code trainSample}: a fixed sample of the training split, the {@code sampleSize} records with
 *       the lowest sha256 of their id, so the same records are sampled by every job while they exist
 *       (knowledge injected and retained);</li>
 *   <li>{@code evalSet}: {@code <adapter>-eval-<first 16 hex of sha256 of the sorted eval ids, one per line>},
 *       so the registry's promotion gate compares only versions measured on the same eval records.</li>
 * </ul>
 */
public record JobData(List<List<ChatMessage>> train, List<EvalExample> eval, List<EvalExample> trainSample, String evalSet) {

    public static JobData split(String adapter, List<SnapshotRecord> records, int sampleSize) {
        List<SnapshotRecord> trainRecords = records.stream().filter(r -> !r.eval())
                .sorted(Comparator.comparingLong(SnapshotRecord::seq)).toList();
        List<EvalExample> eval = records.stream().filter(SnapshotRecord::eval)
                .sorted(Comparator.comparing(SnapshotRecord::id))
                .map(r -> new EvalExample(r.id(), r.messages())).toList();
        List<EvalExample> sample = trainRecords.stream()
                .sorted(Comparator.comparing((SnapshotRecord r) -> sha256(r.id())).thenComparing(SnapshotRecord::id))
                .limit(sampleSize)
                .map(r -> new EvalExample(r.id(), r.messages())).toList();
        String ids = String.join("\n", eval.stream().map(EvalExample::id).toList());
        return new JobData(trainRecords.stream().map(SnapshotRecord::messages).toList(), eval, sample,
                adapter + "-eval-" + sha256(ids).substring(0, 16));
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
