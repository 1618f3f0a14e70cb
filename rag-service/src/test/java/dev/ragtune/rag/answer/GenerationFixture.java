package dev.ragtune.rag.answer;

import java.nio.file.Path;
import java.util.Map;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.ModelRegistryProcess;
import dev.ragtune.embedded.PostgresServer;

/**
 * What {@link GenerationServices} set up: the demo checkpoint, the real registry (child JVM) with
 * adapter {@link GenerationServices#ADAPTER} versions 1..3 (random LoRA weights, distinct seeds) and
 * the local folders those versions were uploaded from.
 */
public record GenerationFixture(Path dir, Path checkpoint, PostgresServer postgres, KafkaBroker kafka,
                                ModelRegistryProcess registry, Map<Integer, Path> adapterDirs) {
}
