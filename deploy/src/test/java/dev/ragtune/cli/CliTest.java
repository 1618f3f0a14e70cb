package dev.ragtune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line, run in-process exactly as {@code ./ragtune} runs it. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        CommandLine cli = RagtuneCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        try {
            int code = cli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void helpListsTheSubcommands() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("model", "train", "generate", "bench");
    }

    @Test
    void demoExportAndGenerateJson() throws Exception {
        Path model = tmp.resolve("m");
        assertThat(run("model", "demo", "--out", model.toString(), "--seed", "3").exitCode()).isZero();
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("model.safetensors")).exists();

        Path export = tmp.resolve("x");
        assertThat(run("model", "export", "--checkpoint", model.toString(), "--out", export.toString()).exitCode()).isZero();
        assertThat(export.resolve("model.onnx")).exists();
        assertThat(export.resolve("genai_config.json")).exists();
        assertThat(run("model", "export", "--checkpoint", model.toString(), "--out", export.toString()).out()).contains("up to date");

        Run gen = run("generate", "--checkpoint", model.toString(), "--prompt", "こんにちは", "--max-tokens", "8", "--json");
        assertThat(gen.exitCode()).as(gen.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(gen.out());
        assertThat(json.path("token_ids").size()).isBetween(0, 8);
        assertThat(json.path("prompt_token_ids").size()).isGreaterThan(9); // "こんにちは" alone is 15 byte tokens
        assertThat(json.has("text") && json.has("ttft_ms") && json.has("tokens_per_second")).isTrue();
    }

    @Test
    void trainWritesAPeftAdapterThatGenerateServes() throws Exception {
        Path model = tmp.resolve("m");
        run("model", "demo", "--out", model.toString());
        Path data = tmp.resolve("data.jsonl");
        Files.writeString(data, """
                {"messages":[{"role":"user","content":"Q1?"},{"role":"assistant","content":"A1."}]}
                {"prompt":"Q2?","completion":"A2."}
                """);
        Path adapter = tmp.resolve("a");
        Run train = run("train", "--checkpoint", model.toString(), "--data", data.toString(), "--out", adapter.toString(),
                "--epochs", "2", "--rank", "4");
        assertThat(train.exitCode()).as(train.err()).isZero();
        for (String f : new String[] {"adapter_config.json", "adapter_model.safetensors", "adapter.onnx_adapter", "metrics.json"}) {
            assertThat(adapter.resolve(f)).exists();
        }
        Run gen = run("generate", "--checkpoint", model.toString(), "--adapter", adapter.toString(), "--prompt", "Q1?",
                "--max-tokens", "4", "--json");
        assertThat(gen.exitCode()).as(gen.err()).isZero();

        Files.writeString(data, "{\"messages\":[{\"role\":\"user\",\"content\":\"only a question\"}]}\n");
        Run bad = run("train", "--checkpoint", model.toString(), "--data", data.toString(), "--out", tmp.resolve("b").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("line 1");
        assertThat(tmp.resolve("b").resolve("adapter_model.safetensors")).doesNotExist();
    }

    @Test
    void randomLikeKeepsTheRealFilesAndGenerates() throws Exception {
        Path real = tmp.resolve("real");
        run("model", "demo", "--out", real.toString());
        Path model = tmp.resolve("r");
        Run r = run("model", "random", "--like", real.toString(), "--layers", "1", "--hidden", "32", "--intermediate", "48",
                "--out", model.toString(), "--seed", "5");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 layers, hidden 32, intermediate 48");
        assertThat(Files.readString(model.resolve("tokenizer.json"))).isEqualTo(Files.readString(real.resolve("tokenizer.json")));
        assertThat(new ObjectMapper().readTree(model.resolve("config.json").toFile()).path("num_hidden_layers").asInt()).isEqualTo(1);

        Run gen = run("generate", "--checkpoint", model.toString(), "--prompt", "hi", "--max-tokens", "4", "--json");
        assertThat(gen.exitCode()).as(gen.err()).isZero();

        Run missing = run("model", "random", "--like", tmp.resolve("nope").toString(), "--out", tmp.resolve("x").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("has no config.json");
    }

    @Test
    void badInputGetsAClearMessageAndExitCode2() throws Exception {
        Run missing = run("generate", "--checkpoint", tmp.resolve("nope").toString(), "--prompt", "hi");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("checkpoint folder", "does not exist");

        Path model = tmp.resolve("m");
        run("model", "demo", "--out", model.toString());
        Path messages = tmp.resolve("messages.json");
        Files.writeString(messages, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}");
        Run wrongLast = run("generate", "--checkpoint", model.toString(), "--messages", messages.toString());
        assertThat(wrongLast.exitCode()).isEqualTo(2);
        assertThat(wrongLast.err()).contains("last message must be a user turn");

        Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        Run unsupported = run("generate", "--checkpoint", model.toString(), "--prompt", "hi");
        assertThat(unsupported.err()).contains("unsupported architecture 'GPT2LMHeadModel'");

        assertThat(run("model", "demo", "--out", tmp.resolve("p").toString(), "--preset", "huge").err()).contains("unknown preset 'huge'");
    }
}
