package dev.ragtune.service.errors;

import dev.ragtune.common.errors.ApiException;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

/** The JSON error body for API errors, wrapped API errors and everything else. */
class ErrorMappersTest {

    private final ErrorMappers mappers = new ErrorMappers();

    @Test
    void anApiErrorKeepsItsStatusAndCodeAlsoWhenWrapped() {
        Response direct = mappers.api(ApiException.conflict("taken"));
        assertThat(direct.getStatus()).isEqualTo(409);
        assertThat(direct.getEntity()).isEqualTo(new ErrorBody("conflict", "taken"));

        Response wrapped = mappers.unexpected(new IllegalStateException("outer", ApiException.notFound("gone")));
        assertThat(wrapped.getStatus()).isEqualTo(404);
        assertThat(wrapped.getEntity()).isEqualTo(new ErrorBody("not_found", "gone"));
    }

    @Test
    void anythingElseIsAnInternalErrorWithAReferenceAndNothingOfTheException() {
        Response r = mappers.unexpected(new IllegalStateException("boom at /srv/data"));
        assertThat(r.getStatus()).isEqualTo(500);
        ErrorBody body = (ErrorBody) r.getEntity();
        assertThat(body.error()).isEqualTo("internal");
        assertThat(body.message()).matches("internal error \\(reference [0-9a-f-]{36}\\)");
    }

    @Test
    void statusCodesHaveTheirNames() {
        assertThat(ErrorMappers.codeFor(413)).isEqualTo("payload_too_large");
        assertThat(ErrorMappers.codeFor(503)).isEqualTo("internal");
        assertThat(ErrorMappers.codeFor(418)).isEqualTo("error");
    }
}
