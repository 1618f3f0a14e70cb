package dev.ragtune.rag.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.common.events.AdapterEvent;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.rag.answer.TestAdapters;

/**
 * Event handling of the hot-loader with the real serving model and adapter folders on disk (a folder-backed
 * {@link AdapterSource}; the registry and Kafka path is covered end to end by HotSwapTest): duplicates by eventId are
 * applied once, other adapters and event types are ignored, a bad version is rejected and reported.
 */
@Tag("core")
class AdapterHotLoaderTest {
    @TempDir
    Path tmp;

    record FolderSource(Map<Integer, Path> versions) implements AdapterSource {
        @Override
        public Map<String, Integer> aliases(String adapter) {
            return Map.of();
        }

        @Override
        public Path download(String adapter, int version) {
            Path p = versions.get(version);
            if (p == null) {
                throw AdapterReferenceException.notFound("no version " + version);
            }
            return p;
        }
    }

    /** An {@code adapter-events} message as the registry writes it; {@code id} names its eventId (a UUID). */
    static String event(String id, String type, String adapter, Integer version, String alias) {
        UUID eventId = UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
        return "{\"eventId\":\"" + eventId + "\",\"type\":\"" + type + "\",\"adapter\":\"" + adapter + "\",\"version\":" + version
                + ",\"alias\":" + (alias == null ? "null" : "\"" + alias + "\"") + ",\"occurredAt\":\"" + Instant.now() + "\"}";
    }

    @Test
    void eventsAreAppliedOnceByIdAndBadVersionsAreRejected() throws Exception {
        Path ckpt = tmp.resolve("m");
        DemoCheckpointWriter.write(ckpt, DemoPreset.TINY, 4);
        Path v1 = TestAdapters.writeRandom(ckpt, tmp.resolve("v1"), 1);
        Path v2 = TestAdapters.writeRandom(ckpt, tmp.resolve("v2"), 2);
        Path broken = Files.createDirectories(tmp.resolve("v3"));
        Files.writeString(broken.resolve("adapter.onnx_adapter"), "not an adapter");
        List<String> swaps = new ArrayList<>();
        List<Integer> failures = new ArrayList<>();
        HotLoadListener listener = new HotLoadListener() {
            @Override
            public void onSwap(String adapter, String alias, Integer from, Integer to, Instant occurredAt) {
                swaps.add(alias + ":" + from + "->" + to);
            }

            @Override
            public void onLoadFailure(String adapter, int version, Exception error) {
                failures.add(version);
            }
        };
        try (ServingModel model = ServingModel.open(ckpt, tmp.resolve("cache"), Precision.FP32, 1)) {
            AdapterTable table = new AdapterTable(Set.of("bot"));
            AdapterHotLoader loader = new AdapterHotLoader(table, new AdapterLoader(model, new FolderSource(Map.of(1, v1, 2, v2, 3, broken))),
                    new AdapterHotLoader.Settings("unused:9092", AdapterEvent.TOPIC, "g", Duration.ofSeconds(1), Map.of()), listener);
            loader.handle(event("e1", "ALIAS_SET", "bot", 1, "production"));
            loader.handle(event("e1", "ALIAS_SET", "bot", 1, "production")); // redelivered
            loader.handle(event("e2", "ALIAS_SET", "other", 2, "production")); // not served here
            loader.handle(event("e3", "VERSION_REGISTERED", "bot", 2, null));
            loader.handle("not json");
            loader.handle(event("e4", "ALIAS_SET", "bot", 2, "production"));
            loader.handle(event("e5", "ALIAS_SET", "bot", 3, "production")); // garbage artifact
            assertThat(table.aliasVersions("bot")).containsEntry("production", 2);
            loader.handle(event("e6", "ALIAS_SET", "bot", 1, "production"));
            loader.handle(event("e4", "ALIAS_SET", "bot", 2, "production")); // an old duplicate must not move it back
            loader.handle(event("e7", "ALIAS_REMOVED", "bot", null, "production"));
            assertThat(swaps).containsExactly("production:null->1", "production:1->2", "production:2->1", "production:1->null");
            assertThat(failures).containsExactly(3);
            assertThat(loader.duplicatesSkipped()).isEqualTo(2);
            assertThat(table.aliasVersions("bot")).isEmpty();
            assertThat(table.snapshot()).isEmpty();
            table.closeAll();
        }
    }
}
