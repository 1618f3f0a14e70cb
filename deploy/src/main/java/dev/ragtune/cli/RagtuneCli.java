package dev.ragtune.cli;

import dev.ragtune.cli.adapters.AdaptersCommand;
import dev.ragtune.cli.client.CliException;
import dev.ragtune.cli.demo.DemoCommand;

import dev.ragtune.cli.documents.AskCommand;
import dev.ragtune.cli.documents.IngestCommand;
import dev.ragtune.cli.eval.EvalCommand;
import dev.ragtune.cli.jobs.JobsCommand;
import dev.ragtune.cli.records.RecordsCommand;
import dev.ragtune.model.ModelFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code ./ragtune}: the command line of the platform. */
@Command(name = "ragtune", mixinStandardHelpOptions = true, version = "ragtune 0.1.0",
        description = "RAG and continuous LoRA fine-tuning in one loop.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, AskCommand.class, IngestCommand.class,
                RecordsCommand.class, JobsCommand.class, AdaptersCommand.class, DemoCommand.class, ModelCommand.class,
                TrainCommand.class, GenerateCommand.class, BenchCommand.class, EvalCommand.class, CommandLine.HelpCommand.class})
public final class RagtuneCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling, as {@link #main} runs it (public for the tests of subcommand packages). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RagtuneCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException c) {
                cmd.getErr().println("ragtune: " + c.getMessage());
                cmd.getErr().flush();
                return c.exitCode();
            }
            if (e instanceof ModelFormatException || e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
                cmd.getErr().println("ragtune: error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    /** Where ragtune keeps its state: {@code $RAGTUNE_HOME}, else {@code ./.ragtune}. */
    public static Path home() {
        String env = System.getenv("RAGTUNE_HOME");
        return Path.of(env != null && !env.isBlank() ? env : ".ragtune").toAbsolutePath();
    }

    static Path exportCache() {
        return home().resolve("models").resolve("onnx");
    }
}
