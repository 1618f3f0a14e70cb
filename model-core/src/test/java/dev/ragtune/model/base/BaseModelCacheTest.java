package dev.ragtune.model.base;

import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.CheckpointCounters;
import dev.ragtune.model.checkpoint.CheckpointCounters.Operation;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaseModelCacheTest {
    @TempDir
    Path tmp;
    Path dir;

    @BeforeEach
    void writeCheckpoint() throws Exception {
        dir = tmp.resolve("tiny");
        DemoCheckpointWriter.write(dir, DemoPreset.TINY, 7);
    }

    @Test
    void opensOnceLoadsTheTokenizerAtOnceAndHashesTheWeightsOnFirstUse() {
        CheckpointCounters.Snapshot start = CheckpointCounters.snapshot();
        try (BaseModelCache cache = new BaseModelCache();
             BaseModel a = cache.acquire(dir);
             BaseModel b = cache.acquire(dir)) {
            CheckpointCounters.Snapshot opened = CheckpointCounters.snapshot().since(start);
            assertThat(opened.count(Operation.TOKENIZER_LOAD)).isEqualTo(1);
            assertThat(opened.count(Operation.OPEN)).as("weights not opened before they are used").isZero();
            assertThat(b.tokenizer()).isSameAs(a.tokenizer());
            assertThat(a.architecture()).isEqualTo("Qwen2ForCausalLM");

            String hash = a.contentHash();
            assertThat(b.checkpoint()).isSameAs(a.checkpoint());
            assertThat(b.contentHash()).isEqualTo(hash);
            CheckpointCounters.Snapshot used = CheckpointCounters.snapshot().since(start);
            assertThat(used.count(Operation.OPEN)).isEqualTo(1);
            assertThat(used.count(Operation.HASH)).isEqualTo(1);
            assertThat(cache.opens()).isEqualTo(1);
            try (Checkpoint c = Checkpoint.open(dir)) {
                assertThat(hash).isEqualTo(c.contentHash());
            }
        }
    }

    @Test
    void aChangedFileOpensTheFolderAgainAndTheStaleModelLivesOnWithItsUsers() throws Exception {
        try (BaseModelCache cache = new BaseModelCache()) {
            BaseModel stale = cache.acquire(dir);
            String hash = stale.contentHash();
            assertThat(stale.isCurrent()).isTrue();
            Path weights = dir.resolve("model.safetensors");
            Files.setLastModifiedTime(weights, FileTime.from(Instant.now().plusSeconds(60)));
            assertThat(stale.isCurrent()).isFalse();
            try (BaseModel fresh = cache.acquire(dir)) {
                assertThat(cache.opens()).isEqualTo(2);
                assertThat(fresh.tokenizer()).isNotSameAs(stale.tokenizer());
                assertThat(fresh.contentHash()).isEqualTo(hash);
                assertThat(stale.tokenizer().encode("still usable")).hasSize("still usable".length());
                assertThat(stale.checkpoint().weights().has("model.embed_tokens.weight")).isTrue();
            }
            stale.close();
            assertThatThrownBy(stale::tokenizer).isInstanceOf(IllegalStateException.class);
            // a file added to the folder counts too
            Files.writeString(dir.resolve("special_tokens_map.json"), "{}");
            try (BaseModel again = cache.acquire(dir)) {
                assertThat(cache.opens()).isEqualTo(3);
            }
        }
    }

    @Test
    void eachReferenceIsClosedOnceAndTheLastOneClosesTheModel() {
        BaseModel a = BaseModel.open(dir);
        BaseModel b = a.retain();
        a.close();
        a.close();
        assertThat(b.tokenizer().encode("b still holds it")).isNotEmpty();
        assertThat(b.contentHash()).hasSize(64);
        assertThatThrownBy(a::retain).isInstanceOf(IllegalStateException.class);
        b.close();
        assertThatThrownBy(b::checkpoint).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClosedCacheOpensNothingButWhatItGaveOutStaysUsable() {
        BaseModelCache cache = new BaseModelCache();
        try (BaseModel held = cache.acquire(dir)) {
            cache.close();
            assertThatThrownBy(() -> cache.acquire(dir)).isInstanceOf(IllegalStateException.class);
            assertThat(held.tokenizer().encode("x")).hasSize(1);
        }
    }

    @Test
    void aReferenceAcquiresOnFirstUseAndABrokenFolderFailsThere() {
        try (BaseModelCache cache = new BaseModelCache()) {
            try (BaseModelCache.Reference missing = cache.reference(tmp.resolve("nothing-here"))) {
                assertThat(cache.opens()).isZero();
                assertThatThrownBy(missing::get).isInstanceOf(ModelFormatException.class).hasMessageContaining("does not exist");
            }
            try (BaseModelCache.Reference ref = cache.reference(dir)) {
                assertThat(ref.get()).isSameAs(ref.get());
                assertThat(cache.opens()).isEqualTo(1);
            }
        }
    }

    @Test
    void manyThreadsShareOneOpening() throws Exception {
        try (BaseModelCache cache = new BaseModelCache()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> hashes = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    hashes.add(pool.submit(() -> {
                        try (BaseModel m = cache.acquire(dir)) {
                            return m.contentHash() + m.tokenizer().encode("abc").length;
                        }
                    }));
                }
                for (Future<String> h : hashes) {
                    assertThat(h.get()).isEqualTo(hashes.get(0).get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(cache.opens()).isEqualTo(1);
        }
    }

    @Test
    void aServingModelSharesTheTokenizerAndTheHashAndKeepsItsOwnReference() throws Exception {
        CheckpointCounters.Snapshot start = CheckpointCounters.snapshot();
        ServingModel serving;
        try (BaseModel base = BaseModel.open(dir)) {
            String hash = base.contentHash();
            serving = ServingModel.open(base, tmp.resolve("onnx-cache"), Precision.FP32, 1);
            assertThat(serving.tokenizer()).isSameAs(base.tokenizer());
            assertThat(serving.baseHash()).isEqualTo(hash);
            assertThat(serving.exportDir()).isEqualTo(base.onnxExport(tmp.resolve("onnx-cache"), Precision.FP32));
        }
        try (serving) {
            assertThat(serving.tokenizer().encode("served after the caller closed its reference")).isNotEmpty();
        }
        CheckpointCounters.Snapshot done = CheckpointCounters.snapshot().since(start);
        assertThat(done.count(Operation.HASH)).isEqualTo(1);
        assertThat(done.count(Operation.ONNX_EXPORT)).isEqualTo(1);
    }
}
