package dev.ragtune.rag.adapters;

/**
 * What a request that names no adapter is answered by ({@code ragtune.rag.adapters.default-ref}) and the alias a bare
 * adapter name means ({@code ragtune.rag.adapters.default-alias}). A bean whether or not a model is configured.
 */
public record AdapterDefaults(AdapterRef defaultRef, String defaultAlias) {
}
