package dev.ragtune.rag.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.rag.answer.TestAdapters;

/** Reference counting and atomic alias switches over real ONNX Runtime adapters. */
@Tag("core")
class AdapterTableTest {
    static final String A = "support-bot";
    @TempDir
    static Path tmp;
    static Path adapterFile;

    @BeforeAll
    static void adapter() throws Exception {
        DemoCheckpointWriter.write(tmp.resolve("m"), DemoPreset.TINY, 3);
        adapterFile = TestAdapters.writeRandom(tmp.resolve("m"), tmp.resolve("a"), 1).resolve(OnnxAdapterWriter.FILE_NAME);
    }

    static LoadedVersion load(int version) {
        return new LoadedVersion(A, version, OrtAdapter.load(A + "@" + version, adapterFile), Instant.now());
    }

    static AdapterLease lease(AdapterTable t, AdapterRef ref) {
        return ((AdapterTable.Leased) t.tryLease(ref)).lease();
    }

    static AdapterRef alias(String alias) {
        return new AdapterRef(A, alias, null);
    }

    @Test
    void aRequestKeepsItsVersionAcrossASwitchAndTheOldVersionClosesAfterItsLastRequest() {
        AdapterTable t = new AdapterTable(Set.of(A));
        LoadedVersion v1 = load(1);
        LoadedVersion v2 = load(2);
        assertThat(t.setAlias(A, "production", v1)).isTrue();
        AdapterLease early = lease(t, alias("production"));
        AdapterLease early2 = lease(t, alias("production"));
        assertThat(t.setAlias(A, "production", v2)).isTrue();
        AdapterLease late = lease(t, alias("production"));
        assertThat(early.version()).isEqualTo(1);
        assertThat(late.version()).isEqualTo(2);
        assertThat(AdapterTable.isClosed(v1)).isFalse();
        assertThat(t.snapshot()).extracting(AdapterTable.VersionState::version, AdapterTable.VersionState::inFlight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 2), org.assertj.core.groups.Tuple.tuple(2, 1));
        early.close();
        early.close(); // idempotent: one release per lease
        assertThat(AdapterTable.isClosed(v1)).isFalse();
        early2.close();
        assertThat(AdapterTable.isClosed(v1)).isTrue();
        assertThat(t.loaded(A, 1)).isEmpty();
        late.close();
        assertThat(AdapterTable.isClosed(v2)).isFalse(); // production still points at it
        assertThat(t.timeline()).extracting(AliasSwitch::version).containsExactly(1, 2);
    }

    @Test
    void aVersionStaysWhileAnyAliasPointsAtItAndSwitchingBackReusesTheLoadedOne() {
        AdapterTable t = new AdapterTable(Set.of(A));
        LoadedVersion v1 = load(1);
        t.setAlias(A, "production", v1);
        assertThat(t.setAliasIfLoaded(A, "staging", 1)).isEqualTo(AdapterTable.Switch.SWITCHED);
        assertThat(t.setAliasIfLoaded(A, "staging", 1)).isEqualTo(AdapterTable.Switch.UNCHANGED);
        assertThat(t.setAliasIfLoaded(A, "staging", 7)).isEqualTo(AdapterTable.Switch.NOT_LOADED);
        t.setAlias(A, "production", load(2));
        assertThat(AdapterTable.isClosed(v1)).isFalse(); // staging → 1
        assertThat(t.setAliasIfLoaded(A, "production", 1)).isEqualTo(AdapterTable.Switch.SWITCHED);
        assertThat(t.removeAlias(A, "staging")).isTrue();
        assertThat(AdapterTable.isClosed(v1)).isFalse(); // production → 1 again
        assertThat(t.removeAlias(A, "production")).isTrue();
        assertThat(AdapterTable.isClosed(v1)).isTrue();
        assertThat(t.removeAlias(A, "production")).isFalse();
        assertThat(t.snapshot()).isEmpty(); // version 2 was closed when production left it
    }

    @Test
    void aVersionLoadedForOneRequestIsClosedAfterItAndADuplicateLoadIsDropped() {
        AdapterTable t = new AdapterTable(Set.of(A));
        assertThat(t.tryLease(new AdapterRef(A, null, 3))).isEqualTo(new AdapterTable.NotResident(A, 3));
        LoadedVersion first = load(3);
        LoadedVersion second = load(3);
        AdapterLease a = t.leaseInstalled(first);
        AdapterLease b = t.leaseInstalled(second); // raced: the one installed first is used, the other closed
        assertThat(AdapterTable.isClosed(second)).isTrue();
        assertThat(b.ort()).isSameAs(first.ort());
        a.close();
        assertThat(AdapterTable.isClosed(first)).isFalse();
        b.close();
        assertThat(AdapterTable.isClosed(first)).isTrue();
    }

    @Test
    void adaptersNotFollowedAreResolvedAndUnsetAliasesAreNotFound() {
        AdapterTable t = new AdapterTable(Set.of(A));
        assertThat(t.tryLease(new AdapterRef("other", "production", null))).isEqualTo(new AdapterTable.NotFollowed("other"));
        assertThatThrownBy(() -> t.tryLease(alias("production")))
                .isInstanceOfSatisfying(AdapterReferenceException.class, e -> assertThat(e.status()).isEqualTo(404))
                .hasMessageContaining("no alias 'production'");
        assertThat(lease(t, AdapterRef.BASE).isBase()).isTrue();
        // following on demand: while the registry's answer is awaited, requests wait (NotFollowed), events are applied
        assertThat(t.beginFollow("other")).isTrue();
        assertThat(t.follows("other")).isTrue();
        assertThat(t.tryLease(new AdapterRef("other", "production", null))).isEqualTo(new AdapterTable.NotFollowed("other"));
        assertThat(t.pointAlias("other", "staging", 5)).isTrue(); // an event newer than the registry's answer below
        t.completeFollow("other", java.util.Map.of("production", 2, "staging", 4));
        assertThat(t.aliasVersions("other")).containsEntry("production", 2).containsEntry("staging", 5);
        assertThat(t.tryLease(new AdapterRef("other", "production", null))).isEqualTo(new AdapterTable.NotResident("other", 2));
        assertThat(t.adapters()).containsExactly("other", A);
        // a failed first resolution forgets the adapter
        assertThat(t.beginFollow("ghost")).isTrue();
        t.abandonFollow("ghost");
        assertThat(t.follows("ghost")).isFalse();
    }

    static LoadedVersion load(String adapter, int version) {
        return new LoadedVersion(adapter, version, OrtAdapter.load(adapter + "@" + version, adapterFile), Instant.now(), 100);
    }

    /** A budget of two versions: the least recently used unleased one is evicted, a leased one never; loads wait for room. */
    @Test
    void theBudgetEvictsTheLeastRecentlyUsedUnleasedVersionAndNeverALeasedOne() throws Exception {
        AdapterTable t = new AdapterTable(Set.of(), 250);
        List<String> evicted = new ArrayList<>();
        t.evictionListener((adapter, version, bytes) -> evicted.add(adapter + "@" + version));
        for (String a : List.of("a", "b", "c")) {
            t.beginFollow(a);
            t.completeFollow(a, java.util.Map.of("production", 1));
        }
        t.reserve("a@1", 100, 1000);
        LoadedVersion a = t.installReserved(load("a", 1));
        t.reserve("b@1", 100, 1000);
        LoadedVersion b = t.installReserved(load("b", 1));
        AdapterLease leaseA = t.leaseLoaded(a, "production").orElseThrow(); // a is now the most recently used, and held
        assertThat(t.bytesInUse()).isEqualTo(200);
        t.reserve("c@1", 100, 1000); // b is evicted: not held, least recently used
        LoadedVersion c = t.installReserved(load("c", 1));
        assertThat(evicted).containsExactly("b@1");
        assertThat(AdapterTable.isClosed(b)).isTrue();
        assertThat(t.leaseLoaded(b, "production")).isEmpty();
        assertThat(t.tryLease(new AdapterRef("b", "production", null))).isEqualTo(new AdapterTable.NotResident("b", 1));
        assertThat(t.aliasVersions("b")).containsEntry("production", 1); // the alias stays: reloaded on demand
        AdapterLease leaseC = t.leaseLoaded(c, "production").orElseThrow();
        // both resident versions are held: a load waits for a release, and fails when none comes in time
        assertThatThrownBy(() -> t.reserve("b@1", 100, 50))
                .isInstanceOfSatisfying(AdapterReferenceException.class, e -> assertThat(e.status()).isEqualTo(503))
                .hasMessageContaining("b@1");
        assertThatThrownBy(() -> t.reserve("huge@1", 251, 50)).hasMessageContaining("more than the whole adapter memory budget");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> waiting = pool.submit(() -> {
            t.reserve("b@1", 100, 10_000);
            return null;
        });
        Thread.sleep(100);
        assertThat(waiting.isDone()).isFalse();
        assertThat(AdapterTable.isClosed(a)).isFalse();
        leaseA.close();
        waiting.get();
        assertThat(AdapterTable.isClosed(a)).isTrue();
        assertThat(AdapterTable.isClosed(c)).isFalse(); // still held
        assertThat(evicted).containsExactly("b@1", "a@1");
        assertThat(t.bytesInUse()).isEqualTo(200);
        assertThat(t.peakBytes()).isLessThanOrEqualTo(250);
        t.unreserve(100);
        leaseC.close();
        pool.shutdown();
        t.closeAll();
    }

    @Test
    void noLeasedVersionIsEverClosedWhileAliasesMoveConcurrently() throws Exception {
        AdapterTable t = new AdapterTable(Set.of(A));
        t.setAlias(A, "production", load(1));
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> leasers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            leasers.add(pool.submit(() -> {
                int n = 0;
                while (running.get()) {
                    try (AdapterLease l = lease(t, alias("production"))) {
                        LoadedVersion v = t.loaded(A, l.version()).orElseThrow(); // still installed while leased
                        assertThat(AdapterTable.isClosed(v)).isFalse();
                        n++;
                    }
                }
                return n;
            }));
        }
        for (int s = 0; s < 200; s++) {
            int next = s % 3 + 1;
            if (t.setAliasIfLoaded(A, "production", next) == AdapterTable.Switch.NOT_LOADED) {
                t.setAlias(A, "production", load(next));
            }
        }
        running.set(false);
        for (Future<Integer> f : leasers) {
            assertThat(f.get()).isPositive();
        }
        pool.shutdown();
        assertThat(t.snapshot()).hasSize(1);
        assertThat(t.snapshot().get(0).inFlight()).isZero();
    }
}
