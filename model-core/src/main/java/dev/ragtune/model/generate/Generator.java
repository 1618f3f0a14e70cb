package dev.ragtune.model.generate;

import ai.onnxruntime.OrtException;
import dev.ragtune.model.tokenize.ModelTokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Text generation over an {@link OrtDecoder}: prefill of the prompt, then one decode step per
 * token on the KV cache, until end of turn, a stop string, {@code maxTokens}, the context window
 * or cancellation. Thread-safe: concurrent calls decode independent sequences over one session,
 * each with its own adapter.
 */
public final class Generator {
    private final OrtDecoder decoder;
    private final ModelTokenizer tokenizer;

    public Generator(OrtDecoder decoder, ModelTokenizer tokenizer) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
    }

    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    public OrtDecoder decoder() {
        return decoder;
    }

    public GenerationResult generate(GenerationRequest request) {
        return generate(request, TokenListener.NONE);
    }

    public GenerationResult generate(GenerationRequest request, TokenListener listener) {
        int[] prompt = request.promptIds();
        SamplingParams p = request.params();
        int room = decoder.contextLength() - prompt.length;
        if (room <= 0) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context is "
                    + decoder.contextLength());
        }
        int maxTokens = Math.min(p.maxTokens(), room);
        Sampler sampler = new Sampler(p);
        int[] history = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int generated = 0;
        TextAssembler text = new TextAssembler(tokenizer, p.stopStrings());
        FinishReason finish = FinishReason.LENGTH;
        long start = System.nanoTime();
        long firstTokenAt = 0;

        try (DecoderState state = decoder.newState(request.adapter())) {
            request.cancellation().attach(state);
            float[][] logits = state.feed(prompt, false);
            while (true) {
                int next = sampler.next(logits[0], history, prompt.length + generated);
                if (generated == 0) {
                    firstTokenAt = System.nanoTime();
                }
                if (tokenizer.isEndOfTurn(next)) {
                    finish = FinishReason.STOP;
                    break;
                }
                history[prompt.length + generated++] = next;
                String delta = text.append(next);
                listener.onToken(next, delta);
                if (text.stopped()) {
                    finish = FinishReason.STOP;
                    break;
                }
                if (generated >= maxTokens) {
                    break;
                }
                if (request.cancellation().isCancelled()) {
                    finish = FinishReason.CANCELLED;
                    break;
                }
                logits = state.feed(new int[] {next}, false);
            }
        } catch (GenerationCancelledException e) {
            finish = FinishReason.CANCELLED;
        } catch (OrtException e) {
            if (!request.cancellation().isCancelled()) {
                throw new IllegalStateException("ONNX Runtime failed during generation: " + e.getMessage(), e);
            }
            finish = FinishReason.CANCELLED;
        }
        String tail = text.flush();
        if (!tail.isEmpty()) {
            listener.onToken(-1, tail);
        }
        long end = System.nanoTime();
        double ttftMs = firstTokenAt == 0 ? (end - start) / 1e6 : (firstTokenAt - start) / 1e6;
        double decodeSeconds = firstTokenAt == 0 ? 0 : (end - firstTokenAt) / 1e9;
        double tps = generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0;
        int[] tokens = Arrays.copyOfRange(history, prompt.length, prompt.length + generated);
        return new GenerationResult(text.text(), prompt, tokens, ttftMs, tps, finish);
    }

    /** Convenience for tests and the command line: the greedy answer text of a prompt. */
    public String complete(int[] promptIds, int maxTokens, OrtAdapter adapter) {
        return generate(new GenerationRequest(promptIds, SamplingParams.greedy(maxTokens), adapter)).text();
    }

    /**
     * Incremental detokenization with stop strings: text is released only once it can no longer
     * turn out to be an incomplete UTF-8 character or the start of a stop string.
     */
    static final class TextAssembler {
        private final ModelTokenizer tokenizer;
        private final List<String> stops;
        private final java.util.ArrayList<Integer> ids = new java.util.ArrayList<>();
        private String text = "";
        private int released;
        private boolean stopped;

        TextAssembler(ModelTokenizer tokenizer, List<String> stops) {
            this.tokenizer = tokenizer;
            this.stops = stops;
        }

        String append(int id) {
            ids.add(id);
            String decoded = tokenizer.decode(ids);
            if (decoded.endsWith("\uFFFD")) {
                return ""; // wait for the rest of the character
            }
            text = decoded;
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (!stop.isEmpty() && at >= 0) {
                    text = text.substring(0, at);
                    stopped = true;
                }
            }
            int safe = stopped ? text.length() : text.length() - heldBack(text);
            if (safe <= released) {
                return "";
            }
            String delta = text.substring(released, safe);
            released = safe;
            return delta;
        }

        /** Length of the longest suffix of {@code s} that starts some stop string. */
        private int heldBack(String s) {
            int hold = 0;
            for (String stop : stops) {
                for (int k = Math.min(stop.length() - 1, s.length()); k > hold; k--) {
                    if (s.endsWith(stop.substring(0, k))) {
                        hold = k;
                        break;
                    }
                }
            }
            return hold;
        }

        boolean stopped() {
            return stopped;
        }

        String flush() {
            String delta = text.substring(Math.min(released, text.length()));
            released = text.length();
            return delta;
        }

        String text() {
            return text;
        }
    }
}
