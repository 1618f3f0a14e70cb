package dev.ragtune.retrieval;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * retrieval-core's structure: its packages ({@code ingest}, {@code embed}, {@code index}, {@code retrieve},
 * {@code eval}) depend on each other without cycles, and it stays a plain library: no Quarkus, CDI/Jakarta,
 * Hibernate, or DJL engine classes (DJL's Hugging Face tokenizers are fine).
 */
@AnalyzeClasses(packages = "dev.ragtune.retrieval", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ragtune.retrieval.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule plainLibrary = noClasses().that().resideInAPackage("dev.ragtune.retrieval..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "org.hibernate..", "ai.djl.ndarray..",
                    "ai.djl.pytorch..");
}
