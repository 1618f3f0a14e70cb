package dev.ragtune.tuning.jobs;

import dev.ragtune.common.records.ChatMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The automatic triggers and the split of a snapshot, as pure functions. */
class TriggerPolicyTest {
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    final TriggerPolicy policy = new TriggerPolicy(100, Duration.ofHours(1));

    @Test
    void enoughNewRecordsTriggerAtOnce() {
        assertThat(policy.decide(100, T0, T0.plusSeconds(1))).contains(JobTrigger.NEW_RECORDS);
        assertThat(policy.decide(99, T0, T0.plusSeconds(1))).isEmpty();
    }

    @Test
    void theIntervalTriggersWhenAtLeastOneRecordArrived() {
        assertThat(policy.decide(1, T0, T0.plus(Duration.ofMinutes(59)))).isEmpty();
        assertThat(policy.decide(1, T0, T0.plus(Duration.ofHours(1)))).contains(JobTrigger.INTERVAL);
        assertThat(policy.decide(0, T0, T0.plus(Duration.ofDays(3)))).as("nothing new, no job").isEmpty();
        assertThat(policy.decide(1, null, T0)).as("no reference time counts as long ago").contains(JobTrigger.INTERVAL);
    }

    @Test
    void badSettingsAreClearErrors() {
        assertThatThrownBy(() -> new TriggerPolicy(0, Duration.ofHours(1))).hasMessageContaining("min-new-records");
        assertThatThrownBy(() -> new TriggerPolicy(1, Duration.ZERO)).hasMessageContaining("interval");
    }

    static SnapshotRecord rec(String id, long seq, boolean eval) {
        return new SnapshotRecord(id, seq, eval, List.of(ChatMessage.user("q " + id), ChatMessage.assistant("a " + id)));
    }

    @Test
    void jobDataSplitsTrainEvalAndAFixedTrainSample() {
        List<SnapshotRecord> recs = List.of(rec("r3", 3, false), rec("r1", 1, false), rec("e2", 5, true), rec("r2", 2, false),
                rec("e1", 4, true));
        JobData d = JobData.split("bot", recs, 2);
        assertThat(d.train()).hasSize(3);
        assertThat(d.train().get(0).get(1).content()).as("training data in seq order").isEqualTo("a r1");
        assertThat(d.eval()).extracting(e -> e.id()).containsExactly("e1", "e2");
        // the sample: the two training ids with the lowest sha256
        List<String> bySha = java.util.stream.Stream.of("r1", "r2", "r3").sorted(java.util.Comparator.comparing(JobData::sha256)).toList();
        assertThat(d.trainSample()).extracting(e -> e.id()).containsExactly(bySha.get(0), bySha.get(1));
        // the sample does not change when records are added unless a new id hashes lower; evalSet depends on the eval ids only
        JobData more = JobData.split("bot", List.of(recs.get(0), recs.get(1), recs.get(2), recs.get(3), recs.get(4), rec("r9", 9, false)), 2);
        assertThat(more.evalSet()).isEqualTo(d.evalSet()).startsWith("bot-eval-").hasSize("bot-eval-".length() + 16);
        JobData otherEval = JobData.split("bot", List.of(recs.get(0), rec("e3", 6, true)), 2);
        assertThat(otherEval.evalSet()).isNotEqualTo(d.evalSet());
    }
}
