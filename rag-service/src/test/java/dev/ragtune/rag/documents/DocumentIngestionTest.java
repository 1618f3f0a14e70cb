package dev.ragtune.rag.documents;

import static dev.ragtune.rag.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.Test;

import dev.ragtune.rag.Api;
import dev.ragtune.rag.EmbeddedServices;
import dev.ragtune.retrieval.index.ChunkIndex;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every supported file type; every bad file refused with a clear 4xx and nothing changed; replace, no-op, delete, reindex. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DocumentIngestionTest {

    @Inject
    DocumentStore store;

    @Inject
    ChunkIndex index;

    @Test
    void everyFileTypeIngestsAndIsSearchable() throws IOException {
        Map<String, byte[]> files = Map.of(
                "notes.txt", "Plain text about the zorblatt harbour.\n\nSecond paragraph.".getBytes(StandardCharsets.UTF_8),
                "guide.md", "# Guide\n\n## Setup\n\nInstall the quixotron package first.\n".getBytes(StandardCharsets.UTF_8),
                "page.html", ("<html><head><title>Page title</title><script>var hidden = 'scriptword';</script></head><body>"
                        + "<h1>Top</h1><h2>Part</h2><p>The flumberwick lives in HTML.</p></body></html>").getBytes(StandardCharsets.UTF_8),
                "report.pdf", pdf("The grimblewort report is a PDF."),
                "letter.docx", docx("The snorkelberry letter is a Word document."));
        Map<String, String> types = Map.of("notes.txt", "text/plain", "guide.md", "text/x-web-markdown", "page.html", "text/html",
                "report.pdf", "application/pdf", "letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        Map<String, String> words = Map.of("notes.txt", "zorblatt", "guide.md", "quixotron", "page.html", "flumberwick",
                "report.pdf", "grimblewort", "letter.docx", "snorkelberry");
        for (var e : files.entrySet()) {
            String id = "type-" + e.getKey().replace('.', '-');
            Api.upload(id, e.getKey(), e.getValue(), "application/octet-stream").then().statusCode(201)
                    .body("id", equalTo(id)).body("contentType", equalTo(types.get(e.getKey()))).body("changed", equalTo(true));
            assertThat(Api.documentIds(words.get(e.getKey()), 3, "bm25")).as(e.getKey()).first().isEqualTo(id);
        }
        Response md = as(EmbeddedServices.INGEST).get("/v1/documents/type-guide-md");
        md.then().statusCode(200).body("chunks[0].headingPath", equalTo("Guide > Setup"));
        Response html = as(EmbeddedServices.INGEST).get("/v1/documents/type-page-html");
        html.then().statusCode(200).body("document.title", equalTo("Page title")).body("chunks[0].headingPath", equalTo("Top > Part"));
        assertThat(Api.documentIds("scriptword", 3, "bm25")).as("script content is not text").doesNotContain("type-page-html");
    }

    @Test
    void badFilesAreRefusedClearlyAndChangeNothing() throws IOException {
        Api.ingestText("keeper", "Keeper", "The wobbleflax keeps its old content.", null).then().statusCode(201);
        long[] before = store.counts();
        int indexBefore = index.chunkCount();

        byte[] corruptPdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage that is not a PDF body\n%%EOF".getBytes(StandardCharsets.US_ASCII);
        Api.upload("keeper", "broken.pdf", corruptPdf, "application/pdf").then().statusCode(422)
                .body("error", equalTo("unprocessable")).body("message", containsString("broken.pdf")).body("message", containsString("PDF"));
        Api.upload("keeper", "empty.txt", new byte[0], "text/plain").then().statusCode(400)
                .body("error", equalTo("bad_request")).body("message", containsString("empty"));
        byte[] big = "oversize ".repeat(EmbeddedServices.MAX_DOCUMENT_BYTES / 9 + 10).getBytes(StandardCharsets.US_ASCII);
        Api.upload("keeper", "big.txt", big, "text/plain").then().statusCode(413)
                .body("error", equalTo("payload_too_large")).body("message", containsString(Integer.toString(EmbeddedServices.MAX_DOCUMENT_BYTES)));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};
        Api.upload("keeper", "picture.png", png, "image/png").then().statusCode(415)
                .body("error", equalTo("unsupported_media_type")).body("message", containsString("image/png"));
        Api.ingestText("keeper", null, "   ", null).then().statusCode(400).body("message", containsString("text"));

        assertThat(store.counts()).containsExactly(before);
        assertThat(index.chunkCount()).isEqualTo(indexBefore);
        assertThat(Api.documentIds("wobbleflax", 3, "bm25")).containsExactly("keeper");
        as(EmbeddedServices.INGEST).get("/v1/documents/keeper").then().statusCode(200).body("document.revision", equalTo(1));
    }

    @Test
    void reingestReplacesChunksAndTheSameContentIsANoOp() {
        Api.ingestText("replace-me", "R", "The zanzibarite is the first version.", Map.of("team", "a")).then().statusCode(201)
                .body("revision", equalTo(1)).body("created", equalTo(true));
        assertThat(Api.documentIds("zanzibarite", 3, "bm25")).containsExactly("replace-me");

        StringBuilder longer = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            longer.append("The quokkafish sentence number ").append(i).append(" is in the second version. ");
        }
        int chunks = Api.ingestText("replace-me", "R", longer.toString(), Map.of("team", "a")).then().statusCode(200)
                .body("revision", equalTo(2)).body("changed", equalTo(true)).body("created", equalTo(false)).extract().path("chunks");
        assertThat(chunks).isGreaterThan(1);
        assertThat(Api.documentIds("zanzibarite", 3, "bm25")).as("old chunks are gone").isEmpty();
        assertThat(Api.documentIds("quokkafish", 50, "bm25")).hasSize(chunks).containsOnly("replace-me");

        Api.ingestText("replace-me", "R", longer.toString(), Map.of("team", "a")).then().statusCode(200)
                .body("revision", equalTo(2)).body("changed", equalTo(false)).body("chunks", equalTo(chunks));
        // a metadata change is a change
        Api.ingestText("replace-me", "R", longer.toString(), Map.of("team", "b")).then().statusCode(200)
                .body("revision", equalTo(3)).body("changed", equalTo(true));
        assertThat(Api.retrieve("quokkafish", 5, Map.of("team", "a"), "bm25").then().statusCode(200).extract().jsonPath()
                .getList("results")).isEmpty();
        assertThat(Api.retrieve("quokkafish", 5, Map.of("team", "b"), "hybrid").then().statusCode(200).extract().jsonPath()
                .getList("results.documentId", String.class)).isNotEmpty().containsOnly("replace-me");
    }

    @Test
    void withoutAnIdTheContentHashNamesTheDocument() {
        String id = Api.ingestText(null, null, "Anonymous text about the plinkerton.", null).then().statusCode(201).extract().path("id");
        assertThat(id).startsWith("doc-");
        Api.ingestText(null, null, "Anonymous text about the plinkerton.", null).then().statusCode(200)
                .body("id", equalTo(id)).body("changed", equalTo(false));
    }

    @Test
    void deleteRemovesFromDatabaseAndIndex() {
        Api.ingestText("delete-me", null, "The vorpalnut will be deleted.", null).then().statusCode(201);
        assertThat(Api.documentIds("vorpalnut", 3, "hybrid")).contains("delete-me");
        as(EmbeddedServices.INGEST).delete("/v1/documents/delete-me").then().statusCode(204);
        as(EmbeddedServices.INGEST).get("/v1/documents/delete-me").then().statusCode(404).body("error", equalTo("not_found"));
        assertThat(Api.documentIds("vorpalnut", 3, "bm25")).isEmpty();
        assertThat(Api.documentIds("vorpalnut", 50, "vector")).doesNotContain("delete-me");
        as(EmbeddedServices.INGEST).delete("/v1/documents/delete-me").then().statusCode(404);
    }

    @Test
    void reindexGivesTheSameResults() {
        Api.ingestText("re-1", "One", "Reindexing keeps the murmelbeast findable.\n\nAnother paragraph about indexes.", null).then()
                .statusCode(201);
        Api.ingestText("re-2", "Two", "A second murmelbeast document about rebuilding indexes.", null).then().statusCode(201);
        List<String> queries = List.of("murmelbeast", "rebuilding indexes", "findable");
        Map<String, List<String>> before = new java.util.HashMap<>();
        for (String q : queries) {
            for (String mode : List.of("hybrid", "bm25", "vector")) {
                before.put(mode + ":" + q, Api.chunkIds(q, 10, mode));
            }
        }
        long[] counts = store.counts();
        as(EmbeddedServices.INGEST).post("/v1/admin/reindex").then().statusCode(200)
                .body("documents", equalTo((int) counts[0])).body("chunks", equalTo((int) counts[1])).body("reembedded", equalTo(0));
        assertThat(index.chunkCount()).isEqualTo((int) counts[1]);
        for (String q : queries) {
            for (String mode : List.of("hybrid", "bm25", "vector")) {
                assertThat(Api.chunkIds(q, 10, mode)).as(mode + ":" + q).isEqualTo(before.get(mode + ":" + q));
            }
        }
    }

    @Test
    void listIsPaged() {
        for (int i = 0; i < 3; i++) {
            Api.ingestText("page-" + i, null, "Paging document " + i + " about the glimmerquat.", null).then().statusCode(201);
        }
        long total = store.counts()[0];
        as(EmbeddedServices.INGEST).get("/v1/documents?page=0&size=2").then().statusCode(200)
                .body("items.size()", equalTo(2)).body("total", equalTo((int) total)).body("page", equalTo(0));
        as(EmbeddedServices.INGEST).get("/v1/documents?page=0&size=0").then().statusCode(400).body("message", containsString("size"));
        as(EmbeddedServices.INGEST).get("/v1/documents?page=-1").then().statusCode(400).body("message", containsString("page"));
    }

    static byte[] pdf(String text) throws IOException {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                cs.newLineAtOffset(72, 700);
                cs.showText(text);
                cs.endText();
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    static byte[] docx(String text) throws IOException {
        try (XWPFDocument doc = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            doc.createParagraph().createRun().setText(text);
            doc.write(out);
            return out.toByteArray();
        }
    }
}
