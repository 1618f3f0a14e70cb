package dev.ragtune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.cli.adapters.Metrics;
import dev.ragtune.cli.adapters.VersionConverter;
import dev.ragtune.cli.client.JobInfo;
import dev.ragtune.cli.console.Durations;
import dev.ragtune.cli.console.ProgressBar;
import dev.ragtune.cli.demo.DemoFact;
import dev.ragtune.cli.documents.DocumentFiles;
import dev.ragtune.cli.documents.DocumentIds;
import dev.ragtune.cli.jobs.JobProgressLine;
import dev.ragtune.cli.records.PreparedRecord;
import dev.ragtune.cli.records.RecordLines;
import dev.ragtune.common.records.DatasetSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line's own logic, no platform: formatting, ids from paths, record preparation. */
class CommandLogicTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void durationsAreShortAndUnknownIsAQuestionMark() {
        assertThat(Durations.format(0)).isEqualTo("0s");
        assertThat(Durations.format(59.4)).isEqualTo("59s");
        assertThat(Durations.format(65)).isEqualTo("1m05s");
        assertThat(Durations.format(3599)).isEqualTo("59m59s");
        assertThat(Durations.format(3600 + 2 * 60 + 30)).isEqualTo("1h02m");
        assertThat(Durations.format(Double.NaN)).isEqualTo("?");
        assertThat(Durations.format(-1)).isEqualTo("?");
    }

    @Test
    void progressBarFillsInProportionAndPrintsQuarterStepsWhenNotATerminal() {
        assertThat(ProgressBar.bar(0, 10, 10)).isEqualTo("[----------]");
        assertThat(ProgressBar.bar(5, 10, 10)).isEqualTo("[#####-----]");
        assertThat(ProgressBar.bar(10, 10, 10)).isEqualTo("[##########]");
        assertThat(ProgressBar.bar(12, 10, 10)).as("never overflows").isEqualTo("[##########]");
        assertThat(ProgressBar.bar(3, 0, 4)).as("unknown total").isEqualTo("[----]");
        assertThat(ProgressBar.render("sent", 10, 20, "acknowledged")).startsWith("sent [").endsWith("]  50%  10/20  acknowledged");

        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), "x", false);
        for (int i = 1; i <= 100; i++) {
            bar.update(i, 100, null);
        }
        bar.finish();
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(5); // 1 % (first), 25, 50, 75, 100
        assertThat(lines.getLast()).contains("100%  100/100");

        StringWriter tty = new StringWriter();
        ProgressBar redraw = new ProgressBar(new PrintWriter(tty), "x", true);
        redraw.update(1, 2, "a long detail");
        redraw.update(2, 2, "b");
        redraw.finish();
        assertThat(tty.toString()).startsWith("\r").endsWith(System.lineSeparator());
        assertThat(tty.toString().chars().filter(c -> c == '\r').count()).isEqualTo(2);
        assertThat(tty.toString().chars().filter(c -> c == '\n').count()).as("one line, redrawn in place").isEqualTo(1);
    }

    @Test
    void documentIdIsThePathRelativeToTheFolderGivenOrTheFileName() throws Exception {
        Path root = tmp.resolve("docs");
        Path nested = Files.createDirectories(root.resolve("guide").resolve("setup"));
        Path a = Files.writeString(root.resolve("sql-vacuum.html"), "<p>vacuum</p>");
        Path b = Files.writeString(nested.resolve("first steps.md"), "# Setup");
        Files.writeString(root.resolve("image.png"), "not a document");
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git").resolve("notes.txt"), "hidden");
        Files.writeString(root.resolve(".hidden.md"), "hidden");

        assertThat(DocumentIds.of(root, a)).isEqualTo("sql-vacuum.html");
        assertThat(DocumentIds.of(root, b)).as("separators are '/', a space becomes '_'").isEqualTo("guide/setup/first_steps.md");
        assertThat(DocumentIds.of(null, b)).isEqualTo("first_steps.md");

        List<DocumentFiles.Item> items = DocumentFiles.collect(List.of(root, a));
        assertThat(items).extracting(DocumentFiles.Item::id)
                .containsExactly("guide/setup/first_steps.md", "sql-vacuum.html", "sql-vacuum.html");
        assertThatThrownBy(() -> DocumentFiles.collect(List.of(tmp.resolve("missing"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such file or folder");
    }

    @Test
    void recordLinesGetAnIdAndAdapterWhenTheyHaveNoneAndAreOtherwiseSentAsWritten() throws Exception {
        String complete = "{\"id\": \"r-1\", \"adapter\": \"other\", \"messages\": [{\"role\": \"user\", \"content\": \"Q\"},"
                + " {\"role\": \"assistant\", \"content\": \"A\"}], \"metadata\": {\"score\": 0.10000000000000000001}}";
        String bare = "{\"messages\":[{\"role\":\"user\",\"content\":\"Q2\"},{\"role\":\"assistant\",\"content\":\"A2\"}],"
                + "\"metadata\":{\"score\":0.10000000000000000001}}";
        String duplicateKeys = "{\"id\": \"x\", \"id\": \"y\", \"adapter\": \"a\"}";
        List<PreparedRecord> prepared = RecordLines.prepare(List.of(complete, "", bare, "not json", "[1, 2]", duplicateKeys, "{\"id\": 7}"),
                "facts.jsonl", "support-bot");

        assertThat(prepared).extracting(PreparedRecord::line).containsExactly(1, 3, 4, 5, 6, 7);
        assertThat(new String(prepared.get(0).value(), StandardCharsets.UTF_8)).as("complete lines are sent byte for byte").isEqualTo(complete);
        assertThat(prepared.get(0).key()).isEqualTo("r-1");
        assertThat(prepared.get(0).adapter()).isEqualTo("other");

        JsonNode filled = JSON.readTree(prepared.get(1).value());
        assertThat(filled.get("id").asText()).isEqualTo(RecordLines.defaultId("facts.jsonl", 3)).isEqualTo("facts-3");
        assertThat(prepared.get(1).key()).isEqualTo("facts-3");
        assertThat(filled.get("adapter").asText()).isEqualTo("support-bot");
        assertThat(new String(prepared.get(1).value(), StandardCharsets.UTF_8)).as("numbers are kept exactly")
                .contains("0.10000000000000000001");

        for (int i = 2; i <= 4; i++) {
            assertThat(prepared.get(i).key()).as("left for the worker to reject").isNull();
        }
        assertThat(new String(prepared.get(4).value(), StandardCharsets.UTF_8)).isEqualTo(duplicateKeys);
        assertThat(prepared.get(5).key()).as("a non-string id is no key").isNull();
    }

    @Test
    void theDemoAsksAboutAFactTheJobTrainsOn() {
        List<PreparedRecord> prepared = RecordLines.prepare(List.of(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Q1?\"},{\"role\":\"assistant\",\"content\":\"A1.\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Q2?\"},{\"role\":\"assistant\",\"content\":\"A2.\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Q3?\"},{\"role\":\"assistant\",\"content\":\"A3.\"}]}"), "f.jsonl", "bot");
        DatasetSplit split = new DatasetSplit(0.1);
        DemoFact fact = DemoFact.pick(prepared, "bot").orElseThrow();
        assertThat(split.isEval("bot", fact.id())).isFalse();
        PreparedRecord chosen = prepared.stream().filter(r -> r.key().equals(fact.id())).findFirst().orElseThrow();
        assertThat(prepared.stream().takeWhile(r -> r != chosen)).allMatch(r -> split.isEval("bot", r.key()));
        assertThat(fact.answer()).isEqualTo("A" + fact.question().substring(1, 2) + ".");
    }

    @Test
    void jobProgressShowsStepLossThroughputAndEta() throws Exception {
        JobInfo training = JSON.readValue("""
                {"id": "j", "adapter": "a", "status": "RUNNING", "phase": "TRAIN", "attempt": 1,
                 "progress": {"step": 120, "totalSteps": 640, "loss": 2.31449, "tokensPerSecond": 1850.4, "etaSeconds": 65.2}}""",
                JobInfo.class);
        assertThat(JobProgressLine.detail(training)).isEqualTo("TRAIN  step 120/640  loss 2.314  1,850 tok/s  ETA 1m05s");
        assertThat(JobProgressLine.steps(training)).containsExactly(120, 640);

        JobInfo evaluating = JSON.readValue("""
                {"id": "j", "status": "RUNNING", "phase": "EVAL", "progress": {"step": 640, "totalSteps": 640}}""", JobInfo.class);
        assertThat(JobProgressLine.detail(evaluating)).isEqualTo("EVAL");
        assertThat(JobProgressLine.steps(evaluating)).containsExactly(640, 640);
        JobInfo queued = JSON.readValue("{\"id\": \"j\", \"status\": \"QUEUED\"}", JobInfo.class);
        assertThat(JobProgressLine.detail(queued)).isEqualTo("QUEUED");
        assertThat(queued.ended()).isFalse();
    }

    @Test
    void metricsSummaryPutsTheBaseModelBesideEachFigure() throws Exception {
        JsonNode m = JSON.readTree("""
                {"evalSet": "x", "eval_loss": 3.9, "exact_match": 0.0, "train_exact_match": 1.0, "eval_token_f1": null,
                 "base": {"eval_loss": 5.123, "train_exact_match": 0.0}}""");
        assertThat(Metrics.summary(m)).isEqualTo("train_exact_match 1.00 (base 0.00), exact_match 0.00, eval_loss 3.90 (base 5.12)");
        assertThat(Metrics.compact(m)).isEqualTo("train_em 1.00 em 0.00 loss 3.90");
        assertThat(Metrics.summary(null)).isEqualTo("no metrics");
    }

    @Test
    void versionsAreNumbersWithAnOptionalV() {
        VersionConverter c = new VersionConverter();
        assertThat(c.convert("3")).isEqualTo(3);
        assertThat(c.convert("v12")).isEqualTo(12);
        assertThatThrownBy(() -> c.convert("0")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> c.convert("latest")).isInstanceOf(TypeConversionException.class).hasMessageContaining("not a version");
    }
}
