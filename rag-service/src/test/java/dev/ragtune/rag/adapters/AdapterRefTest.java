package dev.ragtune.rag.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("core")
class AdapterRefTest {

    @Test
    void parsesBaseNameAliasAndVersion() {
        assertThat(AdapterRef.parse("base", "production").isBase()).isTrue();
        assertThat(AdapterRef.parse("support-bot", "production")).isEqualTo(new AdapterRef("support-bot", "production", null));
        assertThat(AdapterRef.parse("support-bot:staging", "production")).isEqualTo(new AdapterRef("support-bot", "staging", null));
        assertThat(AdapterRef.parse("support-bot@3", "production")).isEqualTo(new AdapterRef("support-bot", null, 3));
        assertThat(AdapterRef.parse(" support-bot@3 ", "production").toString()).isEqualTo("support-bot@3");
        assertThat(AdapterRef.parse("support-bot", "production").toString()).isEqualTo("support-bot:production");
    }

    @Test
    void malformedReferencesAreBadRequestsNamingThePart() {
        String[][] cases = {{"", "empty"}, {"Support", "adapter name 'Support'"}, {"a@x", "version 'x'"}, {"a@0", "positive"},
                {"a@-1", "positive"}, {"a:B!", "alias 'B!'"}, {"a:b@1", "both"}, {":x", "adapter name ''"}};
        for (String[] c : cases) {
            assertThatThrownBy(() -> AdapterRef.parse(c[0], "production")).as(c[0])
                    .isInstanceOfSatisfying(AdapterReferenceException.class, e -> assertThat(e.status()).isEqualTo(400))
                    .hasMessageContaining(c[1]);
        }
    }
}
