package dev.ragtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.cli.CliTest.Run;
import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformState;
import dev.ragtune.embedded.Ports;

/**
 * {@code ragtune up --detach}, {@code status} and {@code down} as a user runs them (in-process picocli; the detached
 * supervisor is a real background JVM with the real platform under it): healthy components, a second {@code up}
 * refused, a crashed child reported with its log's tail, and state (keys, documents) surviving {@code down} and
 * {@code up} again.
 */
// a hang fails in minutes, with every thread's stack in the output (junit.jupiter.execution.timeout.threaddump.enabled): starts and stops the whole platform
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class UpDownTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static List<String> options;

    @AfterAll
    static void down() {
        if (options != null) {
            CliTest.run(args("down"));
        }
    }

    static String[] args(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command.split(" ")));
        a.addAll(command.startsWith("up") ? options : options.subList(0, 1));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void upDetachedIsHealthyReportsACrashAndKeepsItsStateAcrossDownAndUp() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("starter"));
        Files.writeString(docs.resolve("welcome.md"), "# Welcome\n\nThe Quorvian archive keeps the loom ledgers of Ashmere.\n");
        Path home = tmp.resolve("home");
        options = List.of("--data-dir=" + home, "--rag-port=" + Ports.free(), "--registry-port=" + Ports.free(),
                "--worker-port=" + Ports.free(), "--kafka-port=" + Ports.free(), "--postgres-port=" + Ports.free(),
                "--starter-docs=" + docs);
        PlatformHome platformHome = new PlatformHome(home);

        Run up = CliTest.run(args("up --detach"));
        assertThat(up.exitCode()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("the platform is up", "rag-service", "model-registry", "tuning-worker", "kafka", "postgres");

        JsonNode keys = JSON.readTree(platformHome.apiKeys().toFile());
        assertThat(keys.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("admin", "ops", "publisher", "reader", "ingest", "query");
        PlatformState state = PlatformState.read(platformHome.state()).orElseThrow();
        assertThat(up.out()).as("up prints the keys").contains(keys.path("ops").asText(), keys.path("query").asText());

        Run status = CliTest.run(args("status"));
        assertThat(status.exitCode()).as(status.out()).isZero();
        for (String component : List.of("postgres", "kafka", "model-registry", "tuning-worker", "rag-service")) {
            assertThat(status.out()).containsPattern(component + "\\s+UP");
        }
        assertThat(document(state, keys, "welcome.md")).as("the starter corpus was ingested").isEqualTo(200);

        Run again = CliTest.run(args("up --detach"));
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already running");

        // a child that dies is reported by the supervisor with the tail of its log, and status shows it down
        long ragPid = state.components().get("rag-service").pid();
        ProcessHandle rag = ProcessHandle.of(ragPid).orElseThrow();
        rag.destroyForcibly();
        rag.onExit().get();
        Path platformLog = platformHome.log("platform");
        for (int i = 0; i < 120 && !Files.readString(platformLog).contains("rag-service exited with status"); i++) {
            Thread.sleep(500);
        }
        assertThat(Files.readString(platformLog)).contains("rag-service exited with status", "last lines of " + platformHome.log("rag-service"));
        Run degraded = CliTest.run(args("status"));
        assertThat(degraded.exitCode()).isEqualTo(1);
        assertThat(degraded.out()).containsPattern("rag-service\\s+DOWN").containsPattern("model-registry\\s+UP");

        Run down = CliTest.run(args("down"));
        assertThat(down.exitCode()).as(down.out() + down.err()).isZero();
        assertThat(down.out()).contains("stopped");
        assertThat(platformHome.state()).doesNotExist();
        assertThat(CliTest.run(args("status")).exitCode()).isEqualTo(3);

        // up again: same keys, the documents are still there, the starter corpus is not ingested twice
        Run warm = CliTest.run(args("up --detach"));
        assertThat(warm.exitCode()).as(warm.out() + warm.err()).isZero();
        assertThat(JSON.readTree(platformHome.apiKeys().toFile())).isEqualTo(keys);
        PlatformState second = PlatformState.read(platformHome.state()).orElseThrow();
        assertThat(second.supervisorPid()).isNotEqualTo(state.supervisorPid());
        assertThat(document(second, keys, "welcome.md")).isEqualTo(200);
        assertThat(Files.readString(platformLog)).containsOnlyOnce("ingesting the starter corpus");
        assertThat(CliTest.run(args("down")).exitCode()).isZero();
        options = null;
    }

    static int document(PlatformState state, JsonNode keys, String id) throws Exception {
        URI rag = URI.create(state.components().get("rag-service").endpoint());
        HttpRequest get = HttpRequest.newBuilder(rag.resolve("/v1/documents/" + id))
                .header("Authorization", "Bearer " + keys.path("ingest").asText()).build();
        return HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
