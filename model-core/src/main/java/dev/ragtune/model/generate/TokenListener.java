package dev.ragtune.model.generate;

/** Receives a generation as it happens, one token at a time. */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (id, text) -> { };

    /**
     * @param tokenId   the sampled token
     * @param textDelta the text this token completes; may be empty while a multi-byte character
     *                  or a possible stop string is still incomplete
     */
    void onToken(int tokenId, String textDelta);
}
