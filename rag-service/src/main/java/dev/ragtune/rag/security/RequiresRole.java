package dev.ragtune.rag.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least role an endpoint (method, or every method of a class) needs. Endpoints without it need
 * {@link Role#ADMIN} (fail closed). Read by {@link RagSecurity} for service-support's {@code ApiKeyFilter}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresRole {
    Role value();
}
