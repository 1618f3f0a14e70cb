package dev.ragtune.rag.adapters;

import java.nio.file.Path;
import java.util.Map;

/** Where adapter versions come from: the model-registry's REST API. */
public interface AdapterSource {

    /**
     * The aliases of an adapter and the versions they point at now.
     *
     * @throws AdapterReferenceException 404 when the registry does not know the adapter
     */
    Map<String, Integer> aliases(String adapter);

    /**
     * Downloads a version's files into a local folder (cached) and verifies every file's sha256
     * against the registry's record; a mismatch throws and leaves nothing usable behind.
     */
    Path download(String adapter, int version);
}
