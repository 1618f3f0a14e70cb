package dev.ragtune.registry.aliases;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.registry.adapters.Adapter;
import dev.ragtune.registry.adapters.AdapterService;
import dev.ragtune.common.events.AdapterEvent;
import dev.ragtune.registry.events.ChangeRecorder;
import dev.ragtune.registry.versions.AdapterVersion;
import dev.ragtune.registry.versions.VersionService;
import dev.ragtune.common.errors.ApiException;

/**
 * Alias changes. Each takes the adapter's row lock first ({@code SELECT … FOR UPDATE}), so concurrent
 * changes of one adapter's aliases are serialized, and records history and the event in its transaction.
 *
 * <p>Every change pushes the version the alias pointed at onto the alias's rollback stack; rollback pops it.
 */
@ApplicationScoped
public class AliasService {

    /** Outcome of an alias change. */
    public record Result(String adapter, String alias, Integer version, Integer previousVersion, boolean changed, boolean forced,
                         String gate, String eventId) {
    }

    @Inject
    EntityManager em;

    @Inject
    AdapterService adapters;

    @Inject
    VersionService versions;

    @Inject
    ChangeRecorder changes;

    @Inject
    ObjectMapper json;

    @Transactional
    public Result set(String adapterName, String alias, Integer version, String reason, boolean force, String actor) {
        Adapter a = adapters.lock(adapterName);
        if (version == null) {
            throw ApiException.badRequest("version is required: {\"version\": N, \"reason\": \"…\"}");
        }
        AdapterVersion target = versions.require(a, version);
        if (target.status == AdapterVersion.Status.ARCHIVED) {
            throw ApiException.conflict("version " + version + " of adapter '" + a.name + "' is archived and cannot be aliased");
        }
        Alias current = find(a, alias);
        if (current != null && current.version == version) {
            return new Result(a.name, alias, version, version, false, false, null, null);
        }
        boolean forced = false;
        String gate = null;
        if (PromotionGate.ALIAS.equals(alias) && current != null) {
            AdapterVersion prod = versions.require(a, current.version);
            PromotionGate.Verdict verdict = PromotionGate.judge(manifest(target), target.version, manifest(prod), prod.version);
            gate = verdict.explanation();
            if (verdict.worse()) {
                if (!force) {
                    throw ApiException.conflict("promotion to production refused: " + verdict.explanation()
                            + "; send \"force\": true with a reason to override");
                }
                if (reason == null || reason.isBlank()) {
                    throw ApiException.badRequest("force requires a reason: " + verdict.explanation());
                }
                forced = true;
            }
        }
        Integer previous = current == null ? null : current.version;
        if (current != null) {
            push(a, alias, current.version);
        }
        point(a, current, alias, version, actor);
        AdapterEvent e = changes.record(new ChangeRecorder.Change(AdapterEvent.Type.ALIAS_SET, a, version, alias, previous,
                versions.files(target), actor, forced ? "FORCED: " + reason + " (" + gate + ")" : reason, forced, false));
        return new Result(a.name, alias, version, previous, true, forced, gate, e.eventId().toString());
    }

    @Transactional
    public Result remove(String adapterName, String alias, String reason, String actor) {
        Adapter a = adapters.lock(adapterName);
        Alias current = find(a, alias);
        if (current == null) {
            throw ApiException.notFound("alias '" + alias + "' of adapter '" + a.name + "' not found");
        }
        push(a, alias, current.version);
        em.remove(current);
        AdapterEvent e = changes.record(new ChangeRecorder.Change(AdapterEvent.Type.ALIAS_REMOVED, a, null, alias, current.version,
                List.of(), actor, reason, false, false));
        return new Result(a.name, alias, null, current.version, true, false, null, e.eventId().toString());
    }

    @Transactional
    public Result rollback(String adapterName, String alias, String reason, String actor) {
        Adapter a = adapters.lock(adapterName);
        Alias current = find(a, alias);
        List<AliasPrevious> stack = em.createQuery("from AliasPrevious where adapterId = :a and alias = :n order by id desc", AliasPrevious.class)
                .setParameter("a", a.id).setParameter("n", alias).setMaxResults(1).getResultList();
        if (stack.isEmpty()) {
            if (current == null) {
                throw ApiException.notFound("alias '" + alias + "' of adapter '" + a.name + "' not found");
            }
            throw ApiException.conflict("alias '" + alias + "' of adapter '" + a.name + "' has no previous version to roll back to");
        }
        AliasPrevious top = stack.get(0);
        AdapterVersion target = versions.require(a, top.version);
        if (target.status == AdapterVersion.Status.ARCHIVED) {
            throw ApiException.conflict("cannot roll back alias '" + alias + "' of adapter '" + a.name + "' to version " + top.version
                    + ": it is archived; set the alias to a version explicitly");
        }
        em.remove(top);
        Integer previous = current == null ? null : current.version;
        point(a, current, alias, target.version, actor);
        AdapterEvent e = changes.record(new ChangeRecorder.Change(AdapterEvent.Type.ALIAS_SET, a, target.version, alias, previous,
                versions.files(target), actor, reason, false, true));
        return new Result(a.name, alias, target.version, previous, true, false, null, e.eventId().toString());
    }

    private Alias find(Adapter a, String alias) {
        List<Alias> found = em.createQuery("from Alias where adapterId = :a and name = :n", Alias.class)
                .setParameter("a", a.id).setParameter("n", alias).getResultList();
        return found.isEmpty() ? null : found.get(0);
    }

    private void push(Adapter a, String alias, int version) {
        AliasPrevious p = new AliasPrevious();
        p.adapterId = a.id;
        p.alias = alias;
        p.version = version;
        em.persist(p);
    }

    private void point(Adapter a, Alias current, String alias, int version, String actor) {
        Alias al = current;
        if (al == null) {
            al = new Alias();
            al.adapterId = a.id;
            al.name = alias;
        }
        al.version = version;
        al.updatedBy = actor;
        al.updatedAt = Instant.now();
        if (current == null) {
            em.persist(al);
        }
    }

    private JsonNode manifest(AdapterVersion v) {
        try {
            return json.readTree(v.manifest);
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }
}
