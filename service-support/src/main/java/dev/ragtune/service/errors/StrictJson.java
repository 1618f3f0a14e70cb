package dev.ragtune.service.errors;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The service's {@link ObjectMapper} (request bodies included) refuses strings with U+0000: every string field of
 * every request body gets the check where it enters, and the error names the field ({@link NulCharacterException}).
 * Bodies read as a {@code JsonNode} tree are checked by their resources.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("ragtune-strict-json");
        module.addDeserializer(String.class, new NoNulStringDeserializer());
        mapper.registerModule(module);
    }

    /** Jackson's string deserializer, refusing U+0000. */
    static final class NoNulStringDeserializer extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = super.deserialize(p, ctxt);
            if (s != null && s.indexOf('\u0000') >= 0) {
                throw new NulCharacterException(p);
            }
            return s;
        }
    }
}
