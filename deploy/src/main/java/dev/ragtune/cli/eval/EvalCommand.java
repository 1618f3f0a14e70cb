package dev.ragtune.cli.eval;

import picocli.CommandLine.Command;

/** {@code ragtune eval …}: quality measurements whose figures go into docs/benchmarks.md. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate quality (retrieval: recall@k and MRR per retrieval mode).",
        subcommands = {EvalRetrievalCommand.class})
public final class EvalCommand {
}
