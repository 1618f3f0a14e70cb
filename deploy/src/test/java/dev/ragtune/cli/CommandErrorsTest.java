package dev.ragtune.cli;

import dev.ragtune.embedded.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected failures without a platform: wrong arguments exit 2 with usage, a service that is down exits 1 naming it. */
class CommandErrorsTest {
    @TempDir
    Path home;

    private CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = home.toString();
        return CliRun.of(all);
    }

    @Test
    void wrongArgumentsAreUsageErrors() throws Exception {
        CliRun noReason = run("adapters", "promote", "support-bot", "3");
        assertThat(noReason.exitCode()).as(noReason.toString()).isEqualTo(2);
        assertThat(noReason.err()).contains("Missing required option: '--reason=TEXT'").contains("Usage: ragtune adapters promote");

        CliRun badVersion = run("adapters", "promote", "support-bot", "latest", "--reason", "x");
        assertThat(badVersion.exitCode()).isEqualTo(2);
        assertThat(badVersion.err()).contains("not a version number");

        CliRun badLimit = run("records", "dlq", "--limit", "0");
        assertThat(badLimit.exitCode()).isEqualTo(2);
        assertThat(badLimit.err()).contains("--limit must be at least 1");

        CliRun missingFile = run("records", "push", home.resolve("nope.jsonl").toString());
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertThat(missingFile.err()).contains("no such file");

        Path records = Files.writeString(home.resolve("r.jsonl"), "{}\n");
        CliRun badAdapter = run("records", "push", records.toString(), "--adapter", "Not Valid");
        assertThat(badAdapter.exitCode()).isEqualTo(2);
        assertThat(badAdapter.err()).contains("--adapter 'Not Valid' is invalid");

        CliRun badJobAdapter = run("jobs", "start", "Support Bot");
        assertThat(badJobAdapter.exitCode()).isEqualTo(2);

        CliRun badSetting = run("jobs", "start", "support-bot", "--set", "epochs=many");
        assertThat(badSetting.exitCode()).isEqualTo(2);
        assertThat(badSetting.err()).contains("--set epochs=many: the value must be a number");

        CliRun noPath = run("ingest", home.resolve("missing-folder").toString());
        assertThat(noPath.exitCode()).isEqualTo(2);
        assertThat(noPath.err()).contains("no such file or folder");

        CliRun noSubcommand = CliRun.of("records");
        assertThat(noSubcommand.exitCode()).isEqualTo(2);
        assertThat(noSubcommand.err()).contains("Missing required subcommand");

        CliRun unknown = CliRun.of("adapters", "frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
    }

    @Test
    void aServiceThatIsDownIsNamedWithItsUrlAndTheHint() {
        int closed = Ports.free();
        CliRun ask = run("ask", "What colour is the Zorbat river?", "--rag-url", "http://127.0.0.1:" + closed, "--api-key", "k");
        assertThat(ask.exitCode()).as(ask.toString()).isEqualTo(1);
        assertThat(ask.err()).contains("rag-service is not reachable at http://127.0.0.1:" + closed)
                .contains("'ragtune status'").contains("'ragtune up'").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(ask.err().lines().count()).as("one line").isEqualTo(1);

        CliRun adapters = run("adapters", "list", "--registry-url", "http://127.0.0.1:" + closed, "--api-key", "k");
        assertThat(adapters.exitCode()).isEqualTo(1);
        assertThat(adapters.err()).contains("model-registry is not reachable at http://127.0.0.1:" + closed);

        CliRun jobs = run("jobs", "list", "--worker-url", "http://127.0.0.1:" + closed, "--api-key", "k");
        assertThat(jobs.exitCode()).isEqualTo(1);
        assertThat(jobs.err()).contains("tuning-worker is not reachable at http://127.0.0.1:" + closed);

        CliRun dlq = run("records", "dlq", "--kafka", "127.0.0.1:" + closed);
        assertThat(dlq.exitCode()).isEqualTo(1);
        assertThat(dlq.err()).contains("kafka is not reachable at 127.0.0.1:" + closed).contains("'ragtune up'");
    }

    @Test
    void withoutAKeyFileOrKeyTheMessageSaysWhereTheKeysComeFrom() {
        CliRun ask = run("ask", "hello", "--rag-url", "http://127.0.0.1:" + Ports.free());
        assertThat(ask.exitCode()).isEqualTo(1);
        assertThat(ask.err()).contains("no API key").contains("api-keys.json").contains("--api-key");
    }
}
