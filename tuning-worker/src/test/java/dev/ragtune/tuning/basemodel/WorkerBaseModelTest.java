package dev.ragtune.tuning.basemodel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.model.base.BaseModelCache;
import dev.ragtune.model.ModelFormatException;

class WorkerBaseModelTest {

    @TempDir
    Path tmp;

    @Test
    void namesWhatIsWrong() {
        try (BaseModelCache cache = new BaseModelCache()) {
            assertThatThrownBy(() -> WorkerBaseModel.acquire(cache, tmp.resolve("nothing-here"))).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("RAGTUNE_MODEL_DIR").hasMessageContaining("no config.json");
        }
    }
}
