package dev.ragtune.cli.documents;

import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.QueryAnswer;
import dev.ragtune.cli.client.RagClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ragtune ask "question"}: a cited answer from rag-service. */
@Command(name = "ask", mixinStandardHelpOptions = true,
        description = "Asks rag-service a question: the answer, its numbered sources and the adapter version that answered.")
public final class AskCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question (quote it).")
    String question;

    @Option(names = "--adapter", paramLabel = "REF",
            description = "base, NAME (its production version), NAME:ALIAS or NAME@VERSION (default: the service's default).")
    String adapter;

    @Option(names = "--top-k", paramLabel = "N", description = "Chunks to retrieve as sources (0: none; default: the service's).")
    Integer topK;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Longest answer in tokens (default: the service's).")
    Integer maxTokens;

    @Option(names = "--temperature", description = "Sampling temperature, 0 = greedy (default 0).")
    Double temperature;

    @Override
    public Integer call() {
        QueryAnswer a;
        try (RagClient rag = endpoints.rag("query")) {
            a = rag.ask(question, adapter, topK, maxTokens, temperature);
        }
        print(spec.commandLine().getOut(), a);
        return 0;
    }

    /** The answer, then {@code [n] title (document id)} per source, then who answered. */
    public static void print(PrintWriter out, QueryAnswer a) {
        out.println(a.answer() == null ? "" : a.answer().strip());
        out.println();
        if (a.sources().isEmpty()) {
            out.println("sources: none");
        } else {
            out.println("sources:");
            for (QueryAnswer.Source s : a.sources()) {
                String title = s.title() == null || s.title().isBlank() ? s.documentId() : s.title().strip();
                out.printf(Locale.ROOT, "  [%d] %s (%s, score %.3f)%n", s.n(), title, s.documentId(), s.score());
            }
        }
        out.println("answered by " + a.answeredBy());
        out.flush();
    }
}
