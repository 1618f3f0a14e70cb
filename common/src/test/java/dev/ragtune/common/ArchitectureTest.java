package dev.ragtune.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * common holds contracts only: its packages have no cycles, and it depends on no framework, engine or other ragtune module. The rules are decision 009's "must never import" column; a forbidden import fails the build.
 */
@AnalyzeClasses(packages = "dev.ragtune.common", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ragtune.common.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule plainLibrary = noClasses().that().resideInAPackage("dev.ragtune.common..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..",
                    "jakarta..",
                    "org.hibernate..",
                    "ai.djl..",
                    "ai.onnxruntime..",
                    "org.apache.lucene..",
                    "org.apache.kafka..",
                    "dev.ragtune.model..",
                    "dev.ragtune.train..",
                    "dev.ragtune.retrieval..",
                    "dev.ragtune.registry..",
                    "dev.ragtune.tuning..",
                    "dev.ragtune.rag..",
                    "dev.ragtune.cli..",
                    "dev.ragtune.service..");
}
