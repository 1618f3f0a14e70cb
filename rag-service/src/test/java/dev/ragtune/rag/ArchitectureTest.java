package dev.ragtune.rag;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTag;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The service's packages ({@code answer}, {@code adapters}, {@code chat}, {@code query}, {@code feedback},
 * {@code documents}, {@code retrieve}, …) depend on each other without cycles. Reads class files only (no Quarkus), so
 * it runs with the plain tests (tag {@code core}).
 */
@ArchTag("core")
@AnalyzeClasses(packages = "dev.ragtune.rag", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.ragtune.rag.(*)..").should().beFreeOfCycles();
}
