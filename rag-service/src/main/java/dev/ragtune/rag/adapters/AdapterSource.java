package dev.ragtune.rag.adapters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.ragtune.common.registry.AdapterInfo;

/** Where adapter versions come from: the model-registry's REST API. */
public interface AdapterSource {

    /**
     * The aliases of an adapter and the versions they point at now.
     *
     * @throws AdapterReferenceException 404 when the registry does not know the adapter, 503 when it cannot be reached
     */
    Map<String, Integer> aliases(String adapter);

    /**
     * Downloads a version's files into a local folder (cached) and verifies every file's sha256
     * against the registry's record; a mismatch throws and leaves nothing usable behind.
     *
     * @throws AdapterReferenceException 404 for a version the registry does not have, 409 for an archived one, 503
     *                                   when the registry cannot be reached
     */
    Path download(String adapter, int version);

    /** Every adapter the registry has, with its aliases ({@code GET /v1/models}); empty when there is no registry. */
    default List<AdapterInfo> list() {
        return List.of();
    }
}
