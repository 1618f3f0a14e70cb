package dev.ragtune.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.cli.RagtuneCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ragtune eval retrieval}, run in-process on a small corpus written by the test, with the real MiniLM embedder. */
class EvalRetrievalCommandTest {

    @TempDir
    Path tmp;
    Path docs;
    Path questions;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = RagtuneCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void corpus() throws Exception {
        docs = tmp.resolve("docs");
        write("kitchen/espresso.md", "# Espresso\n\nAn espresso machine forces hot water through finely ground coffee at about nine bars of pressure. "
                + "A good shot takes twenty-five seconds and ends with a layer of crema.");
        write("kitchen/sourdough.txt", "Sourdough bread rises with a starter: a culture of wild yeast and lactobacilli fed with flour and water. "
                + "The starter makes the dough sour and airy after a long fermentation.");
        write("nature/bees.md", "# Honeybees\n\nHoneybees pollinate almond orchards and apple trees. A forager performs a waggle dance "
                + "to tell the hive the direction and distance of nectar.");
        write("nature/deep/glaciers.txt", "Glaciers carve U-shaped valleys as the ice grinds over bedrock. Moraines are ridges of rock debris "
                + "that a glacier pushes ahead or leaves at its sides.");
        write("sea/lighthouse.html", """
                <html><head><title>Lighthouses</title></head><body>
                <h1>Lighthouses</h1>
                <p>A lighthouse warns ships away from reefs and rocks. Its Fresnel lens bends the lamp's light into a beam
                that sailors can see from twenty nautical miles.</p>
                </body></html>""");
        write("sea/tides.md", "# Tides\n\nTides rise and fall twice a day because the gravity of the moon pulls the oceans. "
                + "Spring tides come at new and full moon, neap tides at the quarter moons.");
        write("space/telescope.txt", "A refracting telescope gathers starlight with an objective lens; a reflecting telescope uses "
                + "a curved mirror. Astronomers value aperture because it sets how faint a galaxy can be seen.");
        write("_build/espresso-copy.md", "An espresso machine forces hot water through finely ground coffee at about nine bars.");
        write(".cache/notes.txt", "hidden notes about espresso");
        Files.write(docs.resolve("space/logo.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        questions = tmp.resolve("questions.jsonl");
        Files.writeString(questions, """
                {"question": "How many bars of pressure does an espresso machine use for coffee?", "relevant": ["kitchen/espresso.md"]}
                {"question": "What makes sourdough bread rise: the starter of wild yeast?", "relevant": ["kitchen/sourdough.txt"]}

                {"question": "Why do honeybees do a waggle dance?", "relevant": ["nature/bees.md"]}
                {"question": "How do glaciers carve valleys and leave moraines?", "relevant": ["nature/deep/glaciers.txt"]}
                {"question": "What does the Fresnel lens of a lighthouse do?", "relevant": ["sea/lighthouse.html"]}
                {"question": "Why are there spring tides and neap tides?", "relevant": ["sea/tides.md", "space/telescope.txt"]}
                """);
    }

    private void write(String relative, String text) throws Exception {
        Path f = docs.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void scoresEveryModeOnARealCorpus() throws Exception {
        Run r = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(), "--json", "--per-question");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        // 7 documents; _build/ and .cache/ are never walked; the PNG is refused by the parser
        assertThat(json.path("documents").asInt()).isEqualTo(7);
        assertThat(json.path("chunks").asInt()).isGreaterThanOrEqualTo(7);
        assertThat(json.path("skipped")).singleElement().extracting(JsonNode::asText).asString().startsWith("space/logo.png");
        assertThat(r.err()).contains("skipped space/logo.png", "ingest: 8/8 files");
        assertThat(json.path("questions").asInt()).isEqualTo(6);
        assertThat(json.path("index_reused").asBoolean()).isFalse();

        List<String> modes = new ArrayList<>();
        for (JsonNode m : json.path("modes")) {
            modes.add(m.path("mode").asText());
            assertThat(m.path("questions").asInt()).isEqualTo(6);
            for (String k : List.of("recall_at_5", "recall_at_10", "mrr_at_10")) {
                assertThat(m.path(k).asDouble()).as(m.path("mode").asText() + " " + k).isBetween(0.0, 1.0);
            }
            assertThat(m.path("recall_at_10").asDouble()).isGreaterThanOrEqualTo(m.path("recall_at_5").asDouble());
            // the per-question results average to the mode's scores
            double sum = 0;
            for (JsonNode q : m.path("per_question")) {
                sum += q.path("reciprocal_rank_at_10").asDouble();
                assertThat(q.path("top10").size()).isBetween(0, 10);
            }
            assertThat(sum / 6).isCloseTo(m.path("mrr_at_10").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(modes).containsExactly("hybrid", "bm25", "vector");
        JsonNode bm25 = json.path("modes").get(1);
        // every question quotes words only its own document has: BM25 puts that document first. The last question
        // names the telescope page as a second relevant document, which shares none of its words: recall 1/2 there
        assertThat(bm25.path("mrr_at_10").asDouble()).isEqualTo(1.0);
        assertThat(bm25.path("recall_at_5").asDouble()).isCloseTo((5 + 0.5) / 6, org.assertj.core.data.Offset.offset(1e-9));
        JsonNode tidesBm25 = bm25.path("per_question").get(5);
        assertThat(tidesBm25.path("line").asInt()).isEqualTo(7); // blank line 3 counts
        assertThat(tidesBm25.path("top10").get(0).asText()).isEqualTo("sea/tides.md");
        // the vector search ranks all seven documents, so the telescope page is somewhere in its top 10
        JsonNode vector = json.path("modes").get(2);
        assertThat(vector.path("per_question").get(5).path("recall_at_10").asDouble()).isEqualTo(1.0);
    }

    @Test
    void textTableForChosenModesAndIndexReuse() throws Exception {
        Path index = tmp.resolve("index");
        Run first = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(),
                "--modes", "bm25,vector", "--index-dir", index.toString(), "--per-question");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("documents: 7 ingested", "1 files skipped", "recall@5", "recall@10", "MRR@10");
        List<String> rows = first.out().lines().filter(l -> l.matches("^(hybrid|bm25|vector) +6 .*")).toList();
        assertThat(rows).extracting(l -> l.split(" +")[0]).containsExactly("bm25", "vector");
        for (String row : rows) {
            String[] cols = row.split(" +");
            for (int i = 2; i <= 4; i++) {
                assertThat(Double.parseDouble(cols[i])).isBetween(0.0, 1.0);
            }
        }
        assertThat(first.out()).contains("Why do honeybees do a waggle dance?");
        assertThat(index.resolve(EvalRetrievalCommand.MANIFEST)).exists();

        // the same documents again: the index is reused, not re-embedded, and scores the same
        Run second = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(),
                "--modes", "bm25,vector", "--index-dir", index.toString(), "--json");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).contains("reusing the index").doesNotContain("ingest: ");
        JsonNode json = new ObjectMapper().readTree(second.out());
        assertThat(json.path("index_reused").asBoolean()).isTrue();
        assertThat(json.path("documents").asInt()).isEqualTo(7);
        assertThat(String.format(java.util.Locale.ROOT, "%.3f", json.path("modes").get(0).path("recall_at_5").asDouble()))
                .isEqualTo(rows.get(0).split(" +")[2]);

        // a changed document: ingested again
        write("sea/tides.md", "# Tides\n\nThe moon pulls the oceans; spring tides and neap tides alternate every week.");
        Run third = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(),
                "--modes", "bm25", "--index-dir", index.toString(), "--json");
        assertThat(third.exitCode()).as(third.err()).isZero();
        assertThat(third.err()).doesNotContain("reusing the index").contains("ingest: 8/8 files");
        assertThat(new ObjectMapper().readTree(third.out()).path("index_reused").asBoolean()).isFalse();
    }

    @Test
    void malformedQuestionLineIsAnErrorNamingTheLine() throws Exception {
        Files.writeString(questions, """
                {"question": "Why do honeybees do a waggle dance?", "relevant": ["nature/bees.md"]}
                {"question": "no closing brace", "relevant": ["nature/bees.md"]
                """);
        Run r = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("line 2", "not valid JSON");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void relevantIdNotInTheCorpusIsAnErrorNamingLineAndId() throws Exception {
        Files.writeString(questions, """
                {"question": "Why do honeybees do a waggle dance?", "relevant": ["nature/bees.md"]}
                {"question": "How do glaciers carve valleys?", "relevant": ["nature/glaciers.txt"]}
                """);
        Run r = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("line 2", "'nature/glaciers.txt'", "not among the 8 files under");
        assertThat(r.err()).doesNotContain("ingest: "); // refused before any embedding
    }

    @Test
    void relevantDocumentThatCouldNotBeIngestedIsAnError() throws Exception {
        Files.writeString(questions, """
                {"question": "What does the logo look like?", "relevant": ["space/logo.png"]}
                """);
        Run r = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(), "--modes", "bm25");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("line 1", "'space/logo.png'", "documents ingested", "skipped");
    }

    @Test
    void excludedFilesAreNotIngestedAndCannotBeRelevant() throws Exception {
        Run r = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(), "--exclude", "*.html,space/*");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("line 6", "'sea/lighthouse.html'", "line 7", "'space/telescope.txt'", "after --exclude");
    }

    @Test
    void badFoldersAndOptionsExitWithTwo() throws Exception {
        Run missing = run("eval", "retrieval", "--docs", tmp.resolve("nowhere").toString(), "--questions", questions.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--docs", "nowhere", "does not exist");

        Path empty = Files.createDirectories(tmp.resolve("empty/_static"));
        Files.writeString(empty.resolve("x.txt"), "only a build artefact");
        Run none = run("eval", "retrieval", "--docs", tmp.resolve("empty").toString(), "--questions", questions.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("holds no files to ingest");

        Run noQuestions = run("eval", "retrieval", "--docs", docs.toString(), "--questions", tmp.resolve("q.jsonl").toString());
        assertThat(noQuestions.exitCode()).isEqualTo(2);
        assertThat(noQuestions.err()).contains("--questions", "does not exist");

        Run badMode = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(), "--modes", "hybrid,fuzzy");
        assertThat(badMode.exitCode()).isEqualTo(2);
        assertThat(badMode.err()).contains("fuzzy");

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("keep.txt"), "not an index");
        Run notOurs = run("eval", "retrieval", "--docs", docs.toString(), "--questions", questions.toString(), "--index-dir", foreign.toString());
        assertThat(notOurs.exitCode()).isEqualTo(2);
        assertThat(notOurs.err()).contains("is not empty");
        assertThat(foreign.resolve("keep.txt")).exists();

        Run noDocsOption = run("eval", "retrieval", "--questions", questions.toString());
        assertThat(noDocsOption.exitCode()).isEqualTo(2);
        assertThat(noDocsOption.err()).contains("--docs");
    }
}
