package dev.ragtune.registry.adapters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

import dev.ragtune.registry.aliases.Alias;
import dev.ragtune.registry.errors.Checks;
import dev.ragtune.common.errors.ApiException;

/** Look-ups of adapters shared by the resources and services. */
@ApplicationScoped
public class AdapterService {

    @Inject
    EntityManager em;

    public Adapter find(String name) {
        List<Adapter> found = em.createQuery("from Adapter where name = :n", Adapter.class).setParameter("n", name).getResultList();
        if (found.isEmpty()) {
            throw notFound(name);
        }
        return found.get(0);
    }

    /**
     * The adapter row locked {@code FOR UPDATE} until the transaction ends: every change to an adapter's
     * versions and aliases takes this lock first, so they are serialized per adapter.
     */
    public Adapter lock(String name) {
        List<Adapter> found = em.createQuery("from Adapter where name = :n", Adapter.class).setParameter("n", name)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
        if (found.isEmpty()) {
            throw notFound(name);
        }
        return found.get(0);
    }

    public Map<String, Integer> aliases(Adapter a) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Alias al : em.createQuery("from Alias where adapterId = :a order by name", Alias.class).setParameter("a", a.id).getResultList()) {
            m.put(al.name, al.version);
        }
        return m;
    }

    public static ApiException notFound(String name) {
        return ApiException.notFound("adapter '" + Checks.abbreviate(name) + "' not found");
    }
}
