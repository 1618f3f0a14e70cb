package dev.ragtune.service.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The service mapper refuses U+0000 in every string of a body, naming the field; messages carry no Java type. */
class StrictJsonTest {

    public record Body(String text, List<String> tags, Integer topK, Double temperature) {
    }

    private final ObjectMapper json = mapper();

    static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper();
        new StrictJson().customize(m);
        return m;
    }

    @Test
    void nulInAStringIsRefusedNamingTheField() {
        assertThatThrownBy(() -> json.readValue("{\"text\": \"a\\u0000b\"}", Body.class))
                .isInstanceOf(NulCharacterException.class)
                .satisfies(e -> assertThat(ErrorMappers.describe((NulCharacterException) e)).isEqualTo("text must not contain the NUL character (U+0000)"));
        assertThatThrownBy(() -> json.readValue("{\"tags\": [\"ok\", \"a\\u0000\"]}", Body.class))
                .satisfies(e -> assertThat(ErrorMappers.describe((NulCharacterException) e)).startsWith("tags[1] must not contain"));
    }

    @Test
    void typeMismatchesNameTheFieldAndTheKindNotTheJavaType() throws Exception {
        assertThat(message("{\"temperature\": \"hot\"}")).isEqualTo("temperature must be a number");
        assertThat(message("{\"text\": [\"a\"]}")).isEqualTo("text must be a string");
        assertThat(message("[1, 2]")).isEqualTo("request body must be a JSON object");
        assertThat(message("{\"topK\": 99999999999}")).startsWith("topK: ").doesNotContain("java");
        assertThat(message("{\"text\": ")).startsWith("request body is not valid JSON");
        assertThat(json.readValue("{\"text\": \"fine\"}", Body.class).text()).isEqualTo("fine");
    }

    private String message(String body) {
        try {
            json.readValue(body, Body.class);
            throw new AssertionError("accepted " + body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String m = ErrorMappers.describe(e);
            assertThat(m).doesNotContain("dev.ragtune").doesNotContain("java.").doesNotContain("`");
            return m;
        }
    }
}
