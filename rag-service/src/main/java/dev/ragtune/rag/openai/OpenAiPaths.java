package dev.ragtune.rag.openai;

/** The paths whose errors (authentication included) use OpenAI's error shape. */
public final class OpenAiPaths {
    private OpenAiPaths() {
    }

    public static boolean matches(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return p.startsWith("/v1/chat/completions") || p.equals("/v1/models") || p.startsWith("/v1/models/");
    }
}
