package dev.ragtune.tuning.records;

import static dev.ragtune.tuning.EmbeddedServices.GROUP;
import static dev.ragtune.tuning.EmbeddedServices.RECORDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.ragtune.common.records.RecordLimits;
import dev.ragtune.common.records.RecordValidator;
import dev.ragtune.common.records.TokenCounter;
import dev.ragtune.common.records.TrainingRecord;
import dev.ragtune.common.records.ValidationResult;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.tuning.Db;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.InjectEmbedded;
import dev.ragtune.tuning.Kafka;
import dev.ragtune.tuning.TestRecords;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Same id, same content → one row; same id, new content → a new revision, and the latest one counts. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RevisionsTest {

    private static final RecordValidator VALIDATOR = new RecordValidator(RecordLimits.defaults(), TokenCounter.NONE);

    @Inject
    RecordStore store;

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    private record Row(int revision, boolean latest, String answer, String adapter) {
    }

    @Test
    void throughKafkaResentRecordsAreStoredOnceAndNewContentIsANewRevision() throws Exception {
        String a = TestRecords.chat("rev-1", "rev-bot", "Colour of the river?", "Violet.");
        String b = TestRecords.chat("rev-1", "rev-bot", "Colour of the river?", "Deep violet.");
        // key order and whitespace differ, content is the same: still a re-send
        String aReordered = "{\"adapter\":\"rev-bot\",\"id\":\"rev-1\",\"metadata\":{\"source\":\"test\"},\"messages\":["
                + "{\"content\":\"You answer questions about the Zorbat valley.\",\"role\":\"system\"},"
                + "{\"content\":\"Colour of the river?\",\"role\":\"user\"},{\"role\":\"assistant\",\"content\":\"Violet.\"}]}";
        Kafka.send(kafka.bootstrapServers(), RECORDS, List.of(Kafka.Message.of("rev-1", a), Kafka.Message.of("rev-1", a),
                Kafka.Message.of("rev-1", aReordered)));
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));
        assertThat(rows("rev-1")).containsExactly(new Row(1, true, "Violet.", "rev-bot"));

        Kafka.send(kafka.bootstrapServers(), RECORDS, List.of(Kafka.Message.of("rev-1", b), Kafka.Message.of("rev-1", b)));
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));
        assertThat(rows("rev-1")).containsExactly(new Row(1, false, "Violet.", "rev-bot"), new Row(2, true, "Deep violet.", "rev-bot"));

        // going back to the first content is a change too: revision 3, latest
        Kafka.send(kafka.bootstrapServers(), RECORDS, List.of(Kafka.Message.of("rev-1", a)));
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), GROUP, RECORDS, Duration.ofSeconds(120));
        assertThat(rows("rev-1")).containsExactly(new Row(1, false, "Violet.", "rev-bot"), new Row(2, false, "Deep violet.", "rev-bot"),
                new Row(3, true, "Violet.", "rev-bot"));
        assertThat(Db.count(postgres, "select count(*) from training_records where adapter = 'rev-bot' and is_latest")).isEqualTo(1);
    }

    @Test
    void inOneBatchOnlyTheLastRevisionOfAnIdIsLatest() {
        List<IncomingRecord> batch = new ArrayList<>();
        batch.add(in("batch-1", "one", 0));
        batch.add(in("batch-1", "two", 1));
        batch.add(in("batch-1", "two", 2)); // re-sent within the batch
        batch.add(in("batch-1", "three", 3));
        batch.add(in("batch-2", "x", 4));
        StoreOutcome outcome = store.store(batch);
        assertThat(outcome).isEqualTo(new StoreOutcome(4, 2, 1, 0));
        assertThat(rows("batch-1")).containsExactly(new Row(1, false, "one", "store-bot"), new Row(2, false, "two", "store-bot"),
                new Row(3, true, "three", "store-bot"));
        assertThat(rows("batch-2")).containsExactly(new Row(1, true, "x", "store-bot"));
    }

    @Test
    void aReplayedKafkaMessageIsNotStoredAgain() {
        List<IncomingRecord> batch = List.of(in("replay-1", "v1", 100), in("replay-2", "v1", 101));
        assertThat(store.store(batch)).isEqualTo(new StoreOutcome(2, 0, 0, 0));
        // the same messages again (a crash after the database commit, before the offset commit), plus one new one
        List<IncomingRecord> again = new ArrayList<>(batch);
        again.add(in("replay-1", "v2", 102));
        assertThat(store.store(again)).isEqualTo(new StoreOutcome(1, 1, 0, 2));
        assertThat(rows("replay-1")).containsExactly(new Row(1, false, "v1", "store-bot"), new Row(2, true, "v2", "store-bot"));
        assertThat(rows("replay-2")).containsExactly(new Row(1, true, "v1", "store-bot"));
    }

    @Test
    void anIdMovedToAnotherAdapterCountsForTheNewOneOnly() throws Exception {
        store.store(List.of(in("move-1", "same answer", 200)));
        TrainingRecord moved = record("move-1", "same answer", "other-bot");
        store.store(List.of(IncomingRecord.of(moved, "store-test", 0, 201)));
        assertThat(rows("move-1")).containsExactly(new Row(1, false, "same answer", "store-bot"), new Row(2, true, "same answer", "other-bot"));
    }

    @Test
    void aFailedBatchLeavesNothingBehind() {
        // the second record claims an offset already taken by another id in the same batch: the unique constraint fails
        List<IncomingRecord> batch = List.of(in("atomic-1", "a", 300), in("atomic-2", "b", 300));
        assertThatThrownBy(() -> store.store(batch)).isInstanceOf(RecordStoreException.class).hasMessageContaining("storing 2 records failed");
        assertThat(rows("atomic-1")).isEmpty();
        assertThat(rows("atomic-2")).isEmpty();
    }

    private static TrainingRecord record(String id, String answer, String adapter) {
        ValidationResult r = VALIDATOR.validate(TestRecords.chat(id, adapter, "Question?", answer));
        return ((ValidationResult.Valid) r).record();
    }

    private static IncomingRecord in(String id, String answer, long offset) {
        return IncomingRecord.of(record(id, answer, "store-bot"), "store-test", 0, offset);
    }

    private List<Row> rows(String id) {
        try (Connection c = postgres.connect("worker");
             PreparedStatement ps = c.prepareStatement("select revision, is_latest, messages -> -1 ->> 'content', adapter"
                     + " from training_records where record_id = ? order by seq")) {
            ps.setString(1, id);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getInt(1), rs.getBoolean(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
