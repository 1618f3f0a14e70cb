package dev.ragtune.train;

import dev.ragtune.common.records.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingDataTest {
    @TempDir
    Path tmp;

    private Path file(String text) throws Exception {
        Path p = tmp.resolve("d.jsonl");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsChatAndPromptCompletionLines() throws Exception {
        var data = TrainingData.read(file("""
                {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Q?"},{"role":"assistant","content":"A."}]}

                {"prompt":"What?","completion":"That."}
                """));
        assertThat(data).hasSize(2);
        assertThat(data.get(0)).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("Q?"), ChatMessage.assistant("A."));
        assertThat(data.get(1)).containsExactly(ChatMessage.user("What?"), ChatMessage.assistant("That."));
    }

    @Test
    void badLinesNameTheirLineNumber() throws Exception {
        String ok = "{\"prompt\":\"a\",\"completion\":\"b\"}\n";
        for (var c : List.of(
                List.of("{\"messages\": [", "line 2: not valid JSON"),
                List.of("[1,2]", "line 2: expected a JSON object"),
                List.of("{\"text\":\"x\"}", "line 2: expected \"messages\" or \"prompt\"/\"completion\""),
                List.of("{\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}", "line 2: message 0 has role \"bot\""),
                List.of("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "line 2: the last message must be the assistant"),
                List.of("{\"messages\":[{\"role\":\"user\",\"content\":5},{\"role\":\"assistant\",\"content\":\"y\"}]}", "line 2: message 0 (user) needs a string"),
                List.of("{\"prompt\":\"a\"}", "line 2: \"prompt\" and \"completion\" must both be strings"))) {
            Path p = file(ok + c.get(0) + "\n");
            assertThatThrownBy(() -> TrainingData.read(p)).isInstanceOf(TrainingData.BadDataException.class)
                    .hasMessageContaining(p.toString()).hasMessageContaining(c.get(1));
        }
    }

    @Test
    void emptyOrMissingFileIsAnError() throws Exception {
        Path p = file("\n\n");
        assertThatThrownBy(() -> TrainingData.read(p)).hasMessageContaining("holds no training examples");
        assertThatThrownBy(() -> TrainingData.read(tmp.resolve("none.jsonl"))).hasMessageContaining("does not exist");
    }

    @Test
    void defaultsScaleWithTheData() {
        var config = dev.ragtune.model.demo.DemoPreset.TINY.config(dev.ragtune.model.checkpoint.Architecture.QWEN2);
        Hyperparameters small = HyperparameterDefaults.resolve(TrainingOptions.defaults(), config, 20, 100);
        Hyperparameters large = HyperparameterDefaults.resolve(TrainingOptions.defaults(), config, 5000, 3000);
        assertThat(small.epochs()).isGreaterThan(large.epochs());
        assertThat(large.epochs()).isEqualTo(HyperparameterDefaults.MIN_EPOCHS);
        assertThat(large.maxSeqLen()).isEqualTo(2048);
        assertThat(small.maxSeqLen()).isEqualTo(100);
        Hyperparameters r64 = HyperparameterDefaults.resolve(TrainingOptions.defaults().withRank(64), config, 20, 100);
        assertThat(r64.learningRate()).isCloseTo(small.learningRate() / 2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r64.alpha()).isEqualTo(128);
        Hyperparameters explicit = HyperparameterDefaults.resolve(TrainingOptions.defaults().withEpochs(2).withLearningRate(1e-4), config, 20, 100);
        assertThat(explicit.epochs()).isEqualTo(2);
        assertThat(explicit.learningRate()).isEqualTo(1e-4);
    }
}
