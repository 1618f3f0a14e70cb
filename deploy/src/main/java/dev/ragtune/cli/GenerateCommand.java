package dev.ragtune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.common.records.ChatMessage;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ragtune generate}: one answer from a checkpoint (and an adapter) through ONNX Runtime. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate an answer with ONNX Runtime from a checkpoint, optionally with a LoRA adapter.")
public final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--checkpoint", required = true, description = "Hugging Face checkpoint folder.")
    Path checkpoint;
    @Option(names = "--adapter", description = "Adapter folder (PEFT files and/or adapter.onnx_adapter).")
    Path adapter;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", description = "A user message.")
        String prompt;
        @Option(names = "--messages", description = "JSON file {\"messages\": [...]} ending with a user turn.")
        Path messages;
    }

    @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default).")
    double temperature;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    double topP;
    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 = all.")
    int topK;
    @Option(names = "--repetition-penalty", defaultValue = "1.0")
    double repetitionPenalty;
    @Option(names = "--seed", defaultValue = "0")
    long seed;
    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stops = new ArrayList<>();
    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or fp16 export (default ${DEFAULT-VALUE}).")
    String precision;
    @Option(names = "--json", description = "Print one JSON object: text, prompt_token_ids, token_ids, ttft_ms, tokens_per_second.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<ChatMessage> conversation = input.prompt != null ? List.of(ChatMessage.user(input.prompt)) : readMessages(input.messages);
        SamplingParams params = new SamplingParams(maxTokens, temperature, topK, topP, repetitionPenalty, seed, stops);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (ServingModel model = ServingModel.open(checkpoint, RagtuneCli.exportCache(), Precision.parse(precision), 0);
             OrtAdapter lora = adapter == null ? null : model.loadAdapter(adapter.getFileName().toString(), adapter)) {
            int[] prompt = model.tokenizer().encodeChatPrompt(conversation);
            GenerationRequest request = new GenerationRequest(prompt, params, lora);
            GenerationResult r = json ? model.generator().generate(request)
                    : model.generator().generate(request, (id, delta) -> out.print(delta));
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                o.put("text", r.text());
                var p = o.putArray("prompt_token_ids");
                for (int id : r.promptIds()) {
                    p.add(id);
                }
                var t = o.putArray("token_ids");
                for (int id : r.tokenIds()) {
                    t.add(id);
                }
                o.put("ttft_ms", r.ttftMs());
                o.put("tokens_per_second", r.tokensPerSecond());
                o.put("finish_reason", r.finishReason().name().toLowerCase(java.util.Locale.ROOT));
                out.println(JSON.writeValueAsString(o));
            } else {
                out.println();
            }
        }
        return 0;
    }

    static List<ChatMessage> readMessages(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " as JSON: " + e.getMessage());
        }
        JsonNode messages = root.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected {\"messages\": [...]} with at least one message");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText();
            if (!ChatMessage.ROLES.contains(role)) {
                throw new IllegalArgumentException(file + ": message " + i + " has role '" + role + "'; expected system, user or assistant");
            }
            if (!m.path("content").isTextual()) {
                throw new IllegalArgumentException(file + ": message " + i + " has no text 'content'");
            }
            out.add(new ChatMessage(role, m.get("content").asText()));
        }
        if (!"user".equals(out.get(out.size() - 1).role())) {
            throw new IllegalArgumentException(file + ": the last message must be a user turn, got " + out.get(out.size() - 1).role());
        }
        return out;
    }
}
