package dev.ragtune.model.generate;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ragtune.model.checkpoint.ModelConfig;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One sequence being decoded: its KV cache (the previous step's {@code present.*} outputs, fed
 * back as {@code past_key_values.*}) and the adapter chosen for it. Not thread-safe; many states
 * may run concurrently over one session.
 */
public final class DecoderState implements AutoCloseable {
    private final OrtDecoder decoder;
    private final OrtSession.RunOptions runOptions;
    private final List<OnnxTensor> emptyPast = new ArrayList<>();
    private OrtSession.Result previous;
    private int length;
    private volatile boolean cancelled;

    DecoderState(OrtDecoder decoder, OrtAdapter adapter) throws OrtException {
        this.decoder = decoder;
        this.runOptions = new OrtSession.RunOptions();
        if (adapter != null) {
            runOptions.addActiveLoraAdapter(adapter.handle());
        }
        ModelConfig c = decoder.config();
        long[] shape = {1, c.numKvHeads(), 0, c.headDim()};
        for (int i = 0; i < 2 * c.numLayers(); i++) {
            emptyPast.add(OnnxTensor.createTensor(decoder.env(), FloatBuffer.allocate(0), shape));
        }
    }

    /** Tokens in the cache so far. */
    public int length() {
        return length;
    }

    /**
     * Feeds {@code ids} after what the cache holds and returns their logits.
     *
     * @param allRows true for every fed position's logits ({@code [ids.length][V]}), false for the last only ({@code [1][V]})
     */
    public float[][] feed(int[] ids, boolean allRows) throws OrtException {
        if (cancelled) {
            throw new GenerationCancelledException();
        }
        ModelConfig c = decoder.config();
        int s = ids.length;
        int total = length + s;
        if (total > decoder.contextLength()) {
            throw new IllegalArgumentException("sequence of " + total + " tokens exceeds the model's context of "
                    + decoder.contextLength());
        }
        long[] idArr = new long[s];
        long[] pos = new long[s];
        for (int i = 0; i < s; i++) {
            idArr[i] = ids[i];
            pos[i] = length + i;
        }
        long[] mask = new long[total];
        java.util.Arrays.fill(mask, 1L);

        Map<String, OnnxTensor> inputs = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            owned.add(put(inputs, "input_ids", OnnxTensor.createTensor(decoder.env(), LongBuffer.wrap(idArr), new long[] {1, s})));
            owned.add(put(inputs, "position_ids", OnnxTensor.createTensor(decoder.env(), LongBuffer.wrap(pos), new long[] {1, s})));
            owned.add(put(inputs, "attention_mask", OnnxTensor.createTensor(decoder.env(), LongBuffer.wrap(mask), new long[] {1, total})));
            for (int i = 0; i < c.numLayers(); i++) {
                inputs.put("past_key_values." + i + ".key", past(i, true));
                inputs.put("past_key_values." + i + ".value", past(i, false));
            }
            OrtSession.Result result = decoder.session().run(inputs, decoder.outputNames(), runOptions);
            // the logits tensor belongs to the result and is freed with it
            float[][] logits = rows(((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer(), s, c.vocabSize(), allRows);
            if (previous != null) {
                previous.close();
            }
            previous = result;
            length = total;
            return logits;
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor past(int layer, boolean key) {
        if (previous == null) {
            return emptyPast.get(2 * layer + (key ? 0 : 1));
        }
        OnnxValue v = previous.get("present." + layer + (key ? ".key" : ".value")).orElseThrow();
        return (OnnxTensor) v;
    }

    private static float[][] rows(FloatBuffer buf, int s, int vocab, boolean allRows) {
        int first = allRows ? 0 : s - 1;
        float[][] out = new float[s - first][vocab];
        for (int r = first; r < s; r++) {
            buf.position(r * vocab);
            buf.get(out[r - first]);
        }
        return out;
    }

    private static OnnxTensor put(Map<String, OnnxTensor> inputs, String name, OnnxTensor t) {
        inputs.put(name, t);
        return t;
    }

    /** Stops this sequence: a run in progress is terminated and the next feed throws. */
    public void cancel() {
        cancelled = true;
        try {
            runOptions.setTerminate(true);
        } catch (OrtException ignored) {
            // the flag alone stops the next step
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void close() {
        if (previous != null) {
            previous.close();
            previous = null;
        }
        emptyPast.forEach(OnnxTensor::close);
        runOptions.close();
    }
}
