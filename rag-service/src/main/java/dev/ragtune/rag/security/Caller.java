package dev.ragtune.rag.security;

import jakarta.enterprise.context.RequestScoped;

/** Who made the current request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class Caller {

    private Role role;
    private String actor = "anonymous";

    void set(Role role, String actor) {
        this.role = role;
        this.actor = actor;
    }

    public Role role() {
        return role;
    }

    public String actor() {
        return actor;
    }
}
