package dev.ragtune.registry.versions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.ragtune.registry.adapters.Adapter;
import dev.ragtune.registry.adapters.AdapterService;
import dev.ragtune.registry.aliases.Alias;
import dev.ragtune.common.events.AdapterEvent;
import dev.ragtune.registry.events.ChangeRecorder;
import dev.ragtune.common.errors.ApiException;

/** Registers and archives versions; every change takes the adapter's row lock first. */
@ApplicationScoped
public class VersionService {

    /** A file whose bytes are already committed to the blob store. */
    public record StoredFile(String name, String sha256, long size) {
    }

    @Inject
    EntityManager em;

    @Inject
    AdapterService adapters;

    @Inject
    ChangeRecorder changes;

    /** Registers version N+1 with its files, history entry and event, all in one transaction. */
    @Transactional
    public AdapterVersion register(String adapterName, Manifest manifest, List<StoredFile> files, String actor) {
        Adapter a = adapters.lock(adapterName);
        if (manifest.parentVersion() != null && find(a, manifest.parentVersion()) == null) {
            throw ApiException.unprocessable("manifest parentVersion " + manifest.parentVersion() + " does not exist for adapter '"
                    + a.name + "' (latest is " + a.latestVersion + ")");
        }
        AdapterVersion v = new AdapterVersion();
        v.adapterId = a.id;
        v.version = a.latestVersion + 1;
        v.status = AdapterVersion.Status.ACTIVE;
        v.manifest = manifest.text();
        v.parentVersion = manifest.parentVersion();
        v.createdBy = actor;
        v.createdAt = Instant.now();
        em.persist(v);
        a.latestVersion = v.version;
        List<VersionFile> rows = new ArrayList<>();
        for (StoredFile f : files) {
            VersionFile vf = new VersionFile();
            vf.versionId = v.id;
            vf.name = f.name();
            vf.sha256 = f.sha256();
            vf.size = f.size();
            em.persist(vf);
            rows.add(vf);
        }
        rows.sort(java.util.Comparator.comparing(f -> f.name));
        changes.record(new ChangeRecorder.Change(AdapterEvent.Type.VERSION_REGISTERED, a, v.version, null, v.parentVersion,
                rows, actor, "registered", false, false));
        return v;
    }

    /** Archives a version; refused while an alias points at it. */
    @Transactional
    public AdapterVersion archive(String adapterName, int version, String reason, String actor) {
        Adapter a = adapters.lock(adapterName);
        AdapterVersion v = require(a, version);
        if (v.status == AdapterVersion.Status.ARCHIVED) {
            throw ApiException.conflict("version " + version + " of adapter '" + a.name + "' is already archived");
        }
        List<String> aliases = em.createQuery("select name from Alias where adapterId = :a and version = :v order by name", String.class)
                .setParameter("a", a.id).setParameter("v", version).getResultList();
        if (!aliases.isEmpty()) {
            throw ApiException.conflict("version " + version + " of adapter '" + a.name + "' cannot be archived: alias(es) "
                    + String.join(", ", aliases) + " point at it; move or delete them first");
        }
        v.status = AdapterVersion.Status.ARCHIVED;
        v.archivedAt = Instant.now();
        v.archivedBy = actor;
        changes.record(new ChangeRecorder.Change(AdapterEvent.Type.VERSION_ARCHIVED, a, version, null, null, files(v), actor,
                reason, false, false));
        return v;
    }

    public AdapterVersion find(Adapter a, int version) {
        List<AdapterVersion> found = em.createQuery("from AdapterVersion where adapterId = :a and version = :v", AdapterVersion.class)
                .setParameter("a", a.id).setParameter("v", version).getResultList();
        return found.isEmpty() ? null : found.get(0);
    }

    public AdapterVersion require(Adapter a, int version) {
        AdapterVersion v = find(a, version);
        if (v == null) {
            throw ApiException.notFound("version " + version + " of adapter '" + a.name + "' not found (latest is " + a.latestVersion + ")");
        }
        return v;
    }

    public List<AdapterVersion> list(Adapter a) {
        return em.createQuery("from AdapterVersion where adapterId = :a order by version", AdapterVersion.class)
                .setParameter("a", a.id).getResultList();
    }

    public List<VersionFile> files(AdapterVersion v) {
        return em.createQuery("from VersionFile where versionId = :v order by name", VersionFile.class)
                .setParameter("v", v.id).getResultList();
    }

    public List<String> aliasesOf(Adapter a, int version) {
        return em.createQuery("from Alias where adapterId = :a and version = :v order by name", Alias.class)
                .setParameter("a", a.id).setParameter("v", version).getResultList().stream().map(al -> al.name).toList();
    }
}
