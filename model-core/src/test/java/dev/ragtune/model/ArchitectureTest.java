package dev.ragtune.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * model-core is a plain library: its packages have no cycles; no Quarkus, CDI/Jakarta or Hibernate, no DJL engine API (the Hugging Face tokenizers binding under ai.djl.huggingface is its only DJL part), nothing of the trainer, the retrieval core or a service. The rules are decision 009's "must never import" column; a forbidden import fails the build.
 */
@AnalyzeClasses(packages = "dev.ragtune.model", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ragtune.model.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule plainLibrary = noClasses().that().resideInAPackage("dev.ragtune.model..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..",
                    "jakarta..",
                    "org.hibernate..",
                    "ai.djl.ndarray..",
                    "ai.djl.nn..",
                    "ai.djl.training..",
                    "ai.djl.engine..",
                    "ai.djl.pytorch..",
                    "dev.ragtune.train..",
                    "dev.ragtune.retrieval..",
                    "dev.ragtune.registry..",
                    "dev.ragtune.tuning..",
                    "dev.ragtune.rag..",
                    "dev.ragtune.cli..",
                    "dev.ragtune.service..");
}
