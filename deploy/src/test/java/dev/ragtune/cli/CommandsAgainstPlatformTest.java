package dev.ragtune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.cli.platform.LocalPlatform;
import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformSettings;
import dev.ragtune.common.registry.AdapterInfo;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.embedded.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every platform command, in-process as {@code ./ragtune} runs it, against the real platform started once by
 * {@link LocalPlatform} (free ports, a temporary home): the commands find it through the {@code platform.json} and
 * {@code api-keys.json} there, exactly as after {@code ragtune up}. Outcomes are checked on the services themselves.
 * Ordered: the records pushed early are what the jobs train on, the versions the jobs register are what ops promote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): commands against a running platform, one trains a job
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class CommandsAgainstPlatformTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("started job ([0-9a-f-]{36})");
    private static final String ADAPTER = "cli-bot";

    private Path home;
    private Path work;
    private LocalPlatform platform;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startPlatform() throws IOException {
        home = Files.createTempDirectory("ragtune-cli-home-");
        work = Files.createTempDirectory("ragtune-cli-work-");
        PlatformSettings settings = new PlatformSettings(new PlatformHome(home), Ports.free(), Ports.free(), Ports.free(),
                Ports.free(), Ports.free(), null, List.of(PlatformSettings.DEFAULT_ADAPTER), null,
                // progress written every 2 s instead of 20 s, queued jobs claimed within a second
                Map.of("tuning-worker", Map.of("ragtune.worker.jobs.heartbeat-interval", "2s",
                        "ragtune.worker.jobs.poll-interval", "1s")));
        platform = new LocalPlatform(settings, line -> System.out.println("platform: " + line)).start();
        platform.state(ProcessHandle.current().pid()).write(settings.home().state());
    }

    @AfterAll
    void stopPlatform() throws IOException {
        if (platform != null) {
            platform.close();
        }
        for (Path dir : new Path[] {home, work}) {
            if (dir != null) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Runs a command with this test's platform home (as RAGTUNE_HOME would point at it). */
    private CliRun cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = home.toString();
        CliRun run = CliRun.of(all);
        System.out.println("$ ragtune " + String.join(" ", args) + "\n" + run);
        return run;
    }

    private JsonNode get(URI base, String path, String role) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + platform.keys().get(role)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 404 ? null : JSON.readTree(r.body());
    }

    private long documents() throws Exception {
        return get(platform.ragUrl(), "/v1/documents?size=1", "ingest").path("total").asLong();
    }

    private long storedRecords(String adapter) throws Exception {
        for (JsonNode d : get(platform.workerUrl(), "/v1/datasets", "reader")) {
            if (adapter.equals(d.path("adapter").asText())) {
                return d.path("recordsTotal").asLong();
            }
        }
        return 0;
    }

    private AdapterInfo adapter(String name) {
        try (RegistryClient registry = new RegistryClient(platform.registryUrl(), platform.keys().get("reader"))) {
            return registry.adapter(name).orElseThrow();
        }
    }

    @Test
    @Order(1)
    void ingestingAFolderAgainUpdatesItsDocumentsInsteadOfAddingNewOnes() throws Exception {
        Path docs = Files.createDirectories(work.resolve("docs"));
        Files.writeString(docs.resolve("sql-vacuum.html"), "<html><head><title>VACUUM</title></head><body><h1>VACUUM</h1>"
                + "<p>The Quorblax procedure reclaims the storage of dead rows and keeps the planner statistics fresh.</p></body></html>");
        Files.createDirectories(docs.resolve("guide"));
        Files.writeString(docs.resolve("guide").resolve("setup.md"), "# Setup\n\nInstall the Frimble agent before the first start.\n");
        Files.writeString(docs.resolve("notes.txt"), "Release notes: the Zentor cache was removed.\n");
        long before = documents();

        CliRun first = cli("ingest", docs.toString());
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("ingest [").contains("3 new, 0 updated, 0 unchanged");
        assertThat(documents()).isEqualTo(before + 3);
        assertThat(get(platform.ragUrl(), "/v1/documents/sql-vacuum.html", "ingest")).as("id = path in the folder").isNotNull();
        assertThat(get(platform.ragUrl(), "/v1/documents/guide/setup.md", "ingest")).isNotNull();

        CliRun again = cli("ingest", docs.toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("0 new, 0 updated, 3 unchanged");
        assertThat(documents()).isEqualTo(before + 3);

        Files.writeString(docs.resolve("notes.txt"), "Release notes: the Zentor cache was removed; the Plimsoll index was added.\n");
        CliRun changed = cli("ingest", docs.toString());
        assertThat(changed.out()).contains("0 new, 1 updated, 2 unchanged");
        assertThat(documents()).isEqualTo(before + 3);
        assertThat(get(platform.ragUrl(), "/v1/documents/notes.txt", "ingest").path("document").path("revision").asInt()).isEqualTo(2);

        CliRun single = cli("ingest", docs.resolve("guide").resolve("setup.md").toString());
        assertThat(single.exitCode()).isZero();
        assertThat(get(platform.ragUrl(), "/v1/documents/setup.md", "ingest")).as("a file given alone: its name").isNotNull();
        assertThat(documents()).isEqualTo(before + 4);

        Path png = Files.write(work.resolve("diagram.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        CliRun unsupported = cli("ingest", png.toString());
        assertThat(unsupported.exitCode()).isEqualTo(1);
        assertThat(unsupported.out()).contains("failed: " + png).contains("rag-service answered 415");
        assertThat(documents()).isEqualTo(before + 4);
    }

    @Test
    @Order(2)
    void askAnswersWithNumberedSourcesAndWhoAnswered() {
        CliRun ask = cli("ask", "What does the Quorblax procedure reclaim?", "--top-k", "3", "--max-tokens", "8");
        assertThat(ask.exitCode()).as(ask.toString()).isZero();
        assertThat(ask.out()).contains("sources:").containsPattern("\\[1\\] .+ \\(sql-vacuum\\.html, score ")
                .contains("answered by the base model");

        CliRun noVersion = cli("ask", "Hello?", "--adapter", PlatformSettings.DEFAULT_ADAPTER);
        assertThat(noVersion.exitCode()).isEqualTo(1);
        assertThat(noVersion.err()).contains("rag-service answered 404").contains("no alias 'production'");
    }

    @Test
    @Order(3)
    void recordsPushReadsBackWhatTheWorkerAcceptedAndRejected() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            lines.append("{\"messages\":[{\"role\":\"user\",\"content\":\"What is the Glimmer code ").append(i)
                    .append("?\"},{\"role\":\"assistant\",\"content\":\"Glimmer code ").append(i).append(" is ").append(i * 7)
                    .append(".\"}]}\n");
        }
        lines.append("{\"id\":\"cli-explicit\",\"adapter\":\"" + ADAPTER + "\",\"prompt\":\"Who keeps the Glimmer codes?\","
                + "\"completion\":\"The archivist keeps them.\"}\n");
        lines.append("\n");
        lines.append("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"y\"}]}\n");
        lines.append("{\"messages\": [\n");
        Path file = Files.writeString(work.resolve("cli-records.jsonl"), lines);

        CliRun push = cli("records", "push", file.toString(), "--adapter", ADAPTER);
        assertThat(push.exitCode()).as("records were rejected: " + push).isEqualTo(1);
        assertThat(push.out()).contains("sent   [").contains("worker [")
                .contains("accepted 6 of 8: 6 stored as new revisions, 0 unchanged; rejected 2")
                .contains("line 8 (id cli-records-8): INVALID_ROLE")
                .contains("line 9: MALFORMED_JSON");
        assertThat(storedRecords(ADAPTER)).isEqualTo(6);

        CliRun again = cli("records", "push", file.toString(), "--adapter", ADAPTER);
        assertThat(again.out()).contains("accepted 6 of 8: 0 stored as new revisions, 6 unchanged; rejected 2");
        assertThat(storedRecords(ADAPTER)).as("nothing stored twice").isEqualTo(6);
    }

    @Test
    @Order(4)
    void recordsDlqShowsWhatWasRejectedAndWhy() {
        CliRun dlq = cli("records", "dlq", "--limit", "3");
        assertThat(dlq.exitCode()).as(dlq.toString()).isZero();
        assertThat(dlq.out()).contains("the newest 3 rejected records").contains("INVALID_ROLE").contains("MALFORMED_JSON")
                .contains("from cli-records.jsonl:8").contains("from cli-records.jsonl:9").contains("\"role\":\"tool\"");
        assertThat(Pattern.compile("  id=").matcher(dlq.out()).results().count()).isEqualTo(3);
    }

    @Test
    @Order(5)
    void jobsStartListAndWatchToTheRegisteredVersion() {
        CliRun badSetting = cli("jobs", "start", ADAPTER, "--set", "lr=1");
        assertThat(badSetting.exitCode()).as("the worker's 400 is bad input").isEqualTo(2);
        assertThat(badSetting.err()).contains("tuning-worker answered 400").contains("unknown hyperparameter 'lr'");

        CliRun start = cli("jobs", "start", ADAPTER, "--set", "epochs=2");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        Matcher m = JOB_ID.matcher(start.out());
        assertThat(m.find()).as(start.out()).isTrue();
        String id = m.group(1);

        CliRun list = cli("jobs", "list", "--adapter", ADAPTER);
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("ID").contains(id).contains(ADAPTER);

        CliRun watch = cli("jobs", "watch", id);
        assertThat(watch.exitCode()).as(watch.toString()).isZero();
        assertThat(watch.out()).contains("job " + id + " SUCCEEDED").contains("registered " + ADAPTER + " v1")
                .contains("train_exact_match");
        assertThat(adapter(ADAPTER).latestVersion()).isEqualTo(1);

        CliRun second = cli("jobs", "start", ADAPTER, "--set", "epochs=2", "--watch");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).contains("SUCCEEDED").contains("registered " + ADAPTER + " v2");

        assertThat(cli("jobs", "list").out()).contains(id).contains("SUCCEEDED");
    }

    @Test
    @Order(6)
    void adaptersListShowPromoteRollbackAndHistory() {
        CliRun list = cli("adapters", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).containsPattern(ADAPTER + "\\s+\\S+\\s+v2");

        CliRun show = cli("adapters", "show", ADAPTER);
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).containsPattern("v1\\s+\\S+").containsPattern("v2\\s+\\S+").contains("train_em").contains("v2: train_exact_match");

        CliRun promote = cli("adapters", "promote", ADAPTER, "1", "--reason", "first release");
        assertThat(promote.exitCode()).as(promote.toString()).isZero();
        assertThat(promote.out()).contains(ADAPTER + " production: (unset) -> v1 (promoted)");
        assertThat(adapter(ADAPTER).aliases()).containsEntry("production", 1);

        CliRun promote2 = cli("adapters", "promote", ADAPTER, "v2", "--reason", "second release", "--force");
        assertThat(promote2.exitCode()).as(promote2.toString()).isZero();
        assertThat(adapter(ADAPTER).aliases()).containsEntry("production", 2);

        CliRun rollback = cli("adapters", "rollback", ADAPTER, "--reason", "v2 misbehaves");
        assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).contains("production: v2 -> v1");
        assertThat(adapter(ADAPTER).aliases()).containsEntry("production", 1);

        CliRun history = cli("adapters", "history", ADAPTER);
        assertThat(history.exitCode()).isZero();
        assertThat(history.out()).contains("VERSION_REGISTERED").contains("first release").contains("local-ops")
                .containsPattern("ALIAS_SET \\(rollback\\)\\s+v1\\s+production\\s+v2 -> v1\\s+local-ops\\s+v2 misbehaves");

        CliRun unknownVersion = cli("adapters", "promote", ADAPTER, "99", "--reason", "typo");
        assertThat(unknownVersion.exitCode()).isEqualTo(1);
        assertThat(unknownVersion.err()).contains("model-registry answered 404");
        CliRun unknownAdapter = cli("adapters", "show", "no-such-adapter");
        assertThat(unknownAdapter.exitCode()).isEqualTo(1);
        assertThat(unknownAdapter.err()).contains("adapter 'no-such-adapter' does not exist");
    }

    @Test
    @Order(7)
    void demoRunsTheWholeLoopAndTheNewVersionAnswersWithoutARestart() {
        CliRun demo = cli("demo");
        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        AdapterInfo bot = adapter(PlatformSettings.DEFAULT_ADAPTER);
        int production = bot.aliases().get("production");
        assertThat(demo.out())
                .contains("has no production version yet, so the base model answers")
                .contains("accepted 20 of 20")
                .contains("  TRAIN")
                .contains("SUCCEEDED").contains("registered support-bot v" + production)
                .contains("hot-loaded v" + production)
                .contains("== before: the base model answered")
                .contains("== after:  support-bot v" + production + " (production) answered")
                .containsPattern("time: [0-9.]+ s in all — ask \\(base\\) [0-9.]+ s; push records [0-9.]+ s; train \\(job\\) [0-9.]+ s;");
        Matcher before = Pattern.compile("== before: .* answered: \"(.*)\"").matcher(demo.out());
        Matcher after = Pattern.compile("== after: .* answered: \"(.*)\"").matcher(demo.out());
        assertThat(before.find() && after.find()).isTrue();
        assertThat(after.group(1)).as("the promoted version answers differently from the base model").isNotEqualTo(before.group(1));

        CliRun ask = cli("ask", "What colour is the Zorbat river?", "--adapter", "support-bot", "--top-k", "0");
        assertThat(ask.exitCode()).isZero();
        assertThat(ask.out()).contains("answered by support-bot v" + production + " (production)");
    }

    @Test
    @Order(8)
    void aServiceThatIsDownIsNamedAndExitsOne() {
        int closed = Ports.free();
        CliRun ask = cli("ask", "Anything?", "--rag-url", "http://127.0.0.1:" + closed);
        assertThat(ask.exitCode()).isEqualTo(1);
        assertThat(ask.err()).contains("rag-service is not reachable at http://127.0.0.1:" + closed).contains("ragtune up");
    }
}
