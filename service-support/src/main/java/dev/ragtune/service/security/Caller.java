package dev.ragtune.service.security;

import jakarta.enterprise.context.RequestScoped;

/** Who made the current request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class Caller {

    private ApiRole role;
    private String actor = "anonymous";

    void set(ApiRole role, String actor) {
        this.role = role;
        this.actor = actor;
    }

    /** The caller's role: a constant of the service's role enum; null before authentication. */
    public ApiRole role() {
        return role;
    }

    public String actor() {
        return actor;
    }
}
