package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.embedded.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The automatic triggers over the real records table: new-record count, interval, one active job, snapshots. */
class JobTriggersTest {
    static PostgresServer pg;
    static DataSource db;
    static JobStore store;
    static JdbcRecordSource records;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        db = TestDatabase.create(pg, "jobs_triggers");
        store = new JobStore(db, JSON);
        records = new JdbcRecordSource(db, JSON, b -> b < 1000);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    static void add(String adapter, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String id = adapter + "-" + java.util.UUID.randomUUID();
            StoredRecords.insert(db, adapter, id, List.of(ChatMessage.user("q " + id), ChatMessage.assistant("a " + id)), 5000);
        }
    }

    @Test
    void newRecordsThenIntervalThenNothingWhileAJobIsActive() throws Exception {
        JobTriggers triggers = new JobTriggers(store, records, new TriggerPolicy(3, Duration.ofHours(1)));
        Instant now = Instant.now();
        add("count-bot", 2);
        assertThat(triggers.evaluate(now)).as("2 < 3 records, interval not reached").isEmpty();
        add("count-bot", 1);
        List<Job> queued = triggers.evaluate(now);
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).trigger()).isEqualTo(JobTrigger.NEW_RECORDS);
        assertThat(triggers.evaluate(now)).as("one active job per adapter").isEmpty();

        // the job snapshots everything so far and ends; counting starts again after its snapshot
        Job j = store.claim("w", Duration.ofMinutes(1)).orElseThrow();
        long max = records.maxSeq("count-bot");
        store.recordSnapshot(j.id(), "w", 1, max, 3, 0, "x", null, "count-bot");
        store.finish(j.id(), "w", JobStatus.FAILED, "test", null);
        assertThat(store.watermark("count-bot").lastSnapshotMaxSeq()).isEqualTo(max);
        assertThat(records.countAfter("count-bot", max)).isZero();
        assertThat(triggers.evaluate(now.plus(Duration.ofHours(2)))).as("no new record: no job, whatever the time").isEmpty();
        add("count-bot", 1);
        assertThat(triggers.evaluate(now.plus(Duration.ofMinutes(10)))).as("1 new record, interval not over").isEmpty();
        List<Job> byInterval = triggers.evaluate(now.plus(Duration.ofHours(2)));
        assertThat(byInterval).hasSize(1);
        assertThat(byInterval.get(0).trigger()).isEqualTo(JobTrigger.INTERVAL);
        store.requestCancel(byInterval.get(0).id());
    }

    @Test
    void aRetriedSnapshotReadsTheSameRevisionsEvenAfterARecordIsRevised() throws Exception {
        add("snap-bot", 2);
        long max = records.maxSeq("snap-bot");
        List<SnapshotRecord> before = records.snapshot("snap-bot", max);
        String revisedId = before.get(0).id();
        try (var c = db.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("UPDATE training_records SET is_latest = false WHERE record_id = '" + revisedId + "'");
        }
        StoredRecords.insertRevision(db, "snap-bot", revisedId, 2, List.of(ChatMessage.user("q2"), ChatMessage.assistant("revised")), 5000);
        assertThat(records.snapshot("snap-bot", max)).as("same snapshot after the revision").isEqualTo(before);
        assertThat(records.snapshot("snap-bot", records.maxSeq("snap-bot")))
                .filteredOn(r -> r.id().equals(revisedId)).singleElement()
                .extracting(r -> r.messages().get(1).content()).isEqualTo("revised");
        assertThat(records.countAfter("snap-bot", 0)).as("latest revisions only").isEqualTo(2);
    }
}
