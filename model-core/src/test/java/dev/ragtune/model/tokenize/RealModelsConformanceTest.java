package dev.ragtune.model.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A manual check: the {@link ChatTemplateConformanceTest} comparison on every family folder of a directory given as
 * {@code -Dragtune.realmodels=DIR}: every folder with {@code tokenizer.json} and {@code tokenizer_config.json}
 * (a template-only folder is left to the Jinja2 cross-check). Skipped when the property is unset: the suite must not depend
 * on files outside the clone.
 *
 * <pre>./mvnw -o -pl model-core test -Dtest=RealModelsConformanceTest -Dragtune.realmodels=../../shared/realmodels</pre>
 */
class RealModelsConformanceTest {
    @Test
    void everyFamilyOfTheDirectoryRendersAndTokenizesAsHuggingFace() throws Exception {
        String root = System.getProperty("ragtune.realmodels");
        Assumptions.assumeTrue(root != null && !root.isBlank(), "skipped: set -Dragtune.realmodels=DIR to run it");
        HfReference.install();
        Map<String, Path> families = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(Path.of(root))) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("tokenizer.json")) && Files.isRegularFile(d.resolve("tokenizer_config.json")))
                    .sorted().forEach(d -> families.put(d.getFileName().toString(), d));
        }
        Map<String, List<HfReference.Reference>> refs = HfReference.render(families);
        StringBuilder report = new StringBuilder();
        boolean allEqual = true;
        for (String family : families.keySet()) {
            HfReference.Outcome o = HfReference.compare(family, families.get(family), refs.get(family));
            String masks;
            try {
                MaskCheck.assertMasks(family, families.get(family));
                masks = "masks exact";
            } catch (AssertionError | RuntimeException e) {
                masks = "masks WRONG: " + e.getMessage();
                allEqual = false;
            }
            report.append(String.format("%-28s text %d/%d  ids %d/%d  %s%n", family, o.textEqual(), o.total(), o.idsEqual(),
                    o.total(), masks));
            o.mismatches().forEach(m -> report.append("    ").append(m).append('\n'));
            allEqual &= o.mismatches().isEmpty();
        }
        System.out.println("real models vs transformers.js:\n" + report);
        assertThat(allEqual).as(report.toString()).isTrue();
    }
}
