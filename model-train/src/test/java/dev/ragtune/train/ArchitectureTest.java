package dev.ragtune.train;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * model-train is a plain library over model-core and DJL: no Quarkus, CDI/Jakarta or Hibernate, nothing of the retrieval core or a service. The rules are decision 009's "must never import" column; a forbidden import fails the build.
 */
@AnalyzeClasses(packages = "dev.ragtune.train", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule plainLibrary = noClasses().that().resideInAPackage("dev.ragtune.train..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..",
                    "jakarta..",
                    "org.hibernate..",
                    "dev.ragtune.retrieval..",
                    "dev.ragtune.registry..",
                    "dev.ragtune.tuning..",
                    "dev.ragtune.rag..",
                    "dev.ragtune.cli..",
                    "dev.ragtune.service..");
}
