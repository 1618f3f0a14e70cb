package dev.ragtune.cli.documents;

import dev.ragtune.cli.client.CliException;
import dev.ragtune.cli.client.IngestResult;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.RagClient;
import dev.ragtune.cli.console.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ragtune ingest PATH…}: files and folders into rag-service. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ingests files and folders into rag-service (text, Markdown, HTML, PDF, Word; folders recursively).",
                "A document's id is its path relative to the folder given (a file given alone: its name), so ingesting",
                "the same folder again updates those documents instead of adding new ones. Exit code 1 if a file failed."})
public final class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders.")
    List<Path> paths;

    @Override
    public Integer call() {
        List<DocumentFiles.Item> items;
        try {
            items = DocumentFiles.collect(paths);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (items.isEmpty()) {
            out.println("nothing to ingest: no text, Markdown, HTML, PDF or Word files under " + paths);
            return 0;
        }
        int created = 0;
        int updated = 0;
        int unchanged = 0;
        long chunks = 0;
        List<String> failures = new ArrayList<>();
        try (RagClient rag = endpoints.rag("ingest")) {
            ProgressBar bar = ProgressBar.of(out, "ingest");
            for (int i = 0; i < items.size(); i++) {
                DocumentFiles.Item item = items.get(i);
                try {
                    IngestResult r = rag.ingest(item.file(), item.id());
                    chunks += r.chunks();
                    if (r.created()) {
                        created++;
                    } else if (r.changed()) {
                        updated++;
                    } else {
                        unchanged++;
                    }
                } catch (CliException.Unavailable e) {
                    bar.finish();
                    throw e;
                } catch (CliException e) {
                    failures.add(item.file() + ": " + e.getMessage());
                }
                bar.update(i + 1, items.size(), item.id());
            }
            bar.finish();
        }
        out.printf("ingested %d of %d files into rag-service: %d new, %d updated, %d unchanged (%d chunks)%n",
                items.size() - failures.size(), items.size(), created, updated, unchanged, chunks);
        for (String f : failures) {
            out.println("  failed: " + f);
        }
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }
}
