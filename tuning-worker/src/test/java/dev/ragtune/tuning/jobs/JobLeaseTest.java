package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.embedded.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job lease on a real PostgreSQL: concurrent claimers never share a job, at most one active
 * job per adapter, a heartbeat keeps a lease, an expired lease is taken over and the old owner
 * learns it lost the job, cancellation of queued and running jobs.
 *
 * <p>Timing: the leases that must hold are seconds long and renewed every 200 ms, so a thread stalled for over a
 * second on a loaded 2-core machine does not lose one; the waits for a lease to expire are bounded by
 * {@link #PATIENCE}, not by an iteration count. What is asserted is unchanged: a valid lease is never taken, a kept
 * lease survives several of its lengths, an expired one is taken over.
 */
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class JobLeaseTest {
    /** Upper bound of each wait for an expiry or a cancellation to be seen (they normally take under a second). */
    static final Duration PATIENCE = Duration.ofSeconds(60);
    /** A lease that must stay valid while the test looks: long against a scheduler stall, short enough to wait out. */
    static final Duration HELD_LEASE = Duration.ofSeconds(3);

    static PostgresServer pg;
    static JobStore store;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        DataSource ds = TestDatabase.create(pg, "jobs_lease");
        store = new JobStore(ds, JSON);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static void drain() {
        // leave no claimable job behind for the next test
        while (true) {
            Optional<Job> j = store.claim("drain", Duration.ofHours(1));
            if (j.isEmpty()) {
                return;
            }
            store.finish(j.get().id(), "drain", JobStatus.CANCELLED, "test cleanup", null);
        }
    }

    @Test
    void exactlyOneOfManyConcurrentClaimersGetsAJob() throws Exception {
        drain();
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                Job queued = store.create("race-" + round, JobTrigger.MANUAL, null);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Optional<Job>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String owner = "worker-" + t;
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.claim(owner, Duration.ofMinutes(5));
                    }));
                }
                List<Job> won = new ArrayList<>();
                for (Future<Optional<Job>> f : results) {
                    f.get().ifPresent(won::add);
                }
                assertThat(won).as("round %d", round).hasSize(1);
                assertThat(won.get(0).id()).isEqualTo(queued.id());
                assertThat(won.get(0).status()).isEqualTo(JobStatus.RUNNING);
                assertThat(won.get(0).attempt()).isEqualTo(1);
                Job stored = store.find(queued.id()).orElseThrow();
                assertThat(stored.leaseOwner()).isEqualTo(won.get(0).leaseOwner());
                store.finish(queued.id(), stored.leaseOwner(), JobStatus.CANCELLED, "round over", null);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentTriggersQueueOneJobPerAdapter() throws Exception {
        drain();
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Optional<Job>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.createIfNoneActive("one-active", JobTrigger.NEW_RECORDS, null);
                }));
            }
            int created = 0;
            for (Future<Optional<Job>> f : results) {
                created += f.get().isPresent() ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
            Job active = store.activeJob("one-active").orElseThrow();
            assertThatThrownBy(() -> store.create("one-active", JobTrigger.MANUAL, null))
                    .isInstanceOf(ActiveJobExistsException.class).hasMessageContaining(active.id().toString());
            store.requestCancel(active.id());
            assertThat(store.create("one-active", JobTrigger.MANUAL, null).status())
                    .as("a new job once the previous one ended").isEqualTo(JobStatus.QUEUED);
        } finally {
            pool.shutdownNow();
        }
        drain();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheDeadOwnerLosesTheJob() throws Exception {
        drain();
        Job queued = store.create("takeover", JobTrigger.MANUAL, null);
        long claimed = System.nanoTime();
        Job a = store.claim("worker-a", HELD_LEASE).orElseThrow();
        assertThat(a.id()).isEqualTo(queued.id());
        Optional<Job> early = store.claim("worker-b", Duration.ofMinutes(5));
        long heldFor = System.nanoTime() - claimed;
        assertThat(early).as("lease still valid (%d ms after the claim)", heldFor / 1_000_000).isEmpty();

        // worker-a "dies": no heartbeat. Wait (bounded) until its lease has expired in the database's clock.
        Optional<Job> b = Optional.empty();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (b.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            b = store.claim("worker-b", Duration.ofMinutes(5));
        }
        assertThat(b).as("worker-b takes the job over after the lease expired").isPresent();
        assertThat(b.get().id()).isEqualTo(queued.id());
        assertThat(b.get().attempt()).isEqualTo(2);
        assertThat(b.get().leaseOwner()).isEqualTo("worker-b");
        assertThat(b.get().error()).contains("lease of worker-a expired");

        assertThatThrownBy(() -> store.heartbeat(queued.id(), "worker-a", Duration.ofMinutes(1), null, null))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("worker-a");
        assertThatThrownBy(() -> store.setPhase(queued.id(), "worker-a", JobPhase.TRAIN)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> store.succeed(queued.id(), "worker-a", 1, null, null)).isInstanceOf(LeaseLostException.class);
        assertThat(store.heartbeat(queued.id(), "worker-b", Duration.ofMinutes(1), null, null)).isFalse();
        store.setPhase(queued.id(), "worker-b", JobPhase.TRAIN);
        assertThat(store.find(queued.id()).orElseThrow().phase()).isEqualTo(JobPhase.TRAIN);
        store.finish(queued.id(), "worker-b", JobStatus.FAILED, "test over", null);
    }

    @Test
    void aHeartbeatKeepsTheLeaseAndCarriesProgressAndCancellation() throws Exception {
        drain();
        Job queued = store.create("heartbeat", JobTrigger.MANUAL, null);
        Duration lease = Duration.ofSeconds(2);
        Job a = store.claim("worker-a", lease).orElseThrow();
        try (LeaseHeartbeat hb = new LeaseHeartbeat(store, a.id(), "worker-a", lease, Duration.ofMillis(200))) {
            hb.progress(JSON.createObjectNode().put("step", 3).put("totalSteps", 10));
            hb.lossCurve(() -> JSON.createArrayNode().add(JSON.createObjectNode().put("step", 1).put("loss", 2.5)));
            // three lease lengths of wall-clock time (however slowly the loop runs), looking every 100 ms
            long start = System.nanoTime();
            for (int i = 0; System.nanoTime() - start < 3 * lease.toNanos(); i++) {
                Thread.sleep(100);
                assertThat(store.claim("worker-b", Duration.ofMinutes(5))).as("look %d, %d ms in", i,
                        (System.nanoTime() - start) / 1_000_000).isEmpty();
                hb.check();
            }
            Job stored = store.find(queued.id()).orElseThrow();
            assertThat(stored.progress().path("step").asInt()).isEqualTo(3);
            assertThat(stored.lossCurve().get(0).path("loss").asDouble()).isEqualTo(2.5);

            assertThat(store.requestCancel(queued.id()).orElseThrow().cancelRequested()).isTrue();
            boolean cancelled = false;
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!cancelled && System.nanoTime() < deadline) {
                Thread.sleep(50);
                try {
                    hb.check();
                } catch (JobCancelledException e) {
                    cancelled = true;
                }
            }
            assertThat(cancelled).as("the running job sees the cancel request through its heartbeat").isTrue();
        }
        store.finish(queued.id(), "worker-a", JobStatus.CANCELLED, "cancelled on request", null);
        assertThat(store.find(queued.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThatThrownBy(() -> store.requestCancel(queued.id())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended CANCELLED");
    }

    @Test
    void queuedJobsCancelAtOnceAndAbandonedCancelledJobsEnd() throws Exception {
        drain();
        Job q = store.create("cancel-queued", JobTrigger.MANUAL, null);
        Job c = store.requestCancel(q.id()).orElseThrow();
        assertThat(c.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(c.finishedAt()).isNotNull();
        assertThat(store.claim("worker-a", Duration.ofMinutes(1))).as("a cancelled job is not claimable").isEmpty();
        assertThat(store.requestCancel(java.util.UUID.randomUUID())).isEmpty();

        Job r = store.create("cancel-abandoned", JobTrigger.MANUAL, null);
        store.claim("worker-dead", Duration.ofMillis(200)).orElseThrow();
        store.requestCancel(r.id());
        Job after = null;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            store.cancelAbandoned();
            after = store.find(r.id()).orElseThrow();
            if (after.status() == JobStatus.CANCELLED) {
                break;
            }
        }
        assertThat(after.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(store.claim("worker-b", Duration.ofMinutes(1))).isEmpty();
    }
}
