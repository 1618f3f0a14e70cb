package dev.ragtune.service.errors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * A JSON string of a request body that contains U+0000. PostgreSQL cannot store that character in text, and no
 * field of the API means it, so it is refused where the value enters (400 naming the field, see {@link ErrorMappers}).
 */
public class NulCharacterException extends MismatchedInputException {

    public NulCharacterException(JsonParser p) {
        super(p, "a string contains the NUL character (U+0000)", String.class);
    }
}
