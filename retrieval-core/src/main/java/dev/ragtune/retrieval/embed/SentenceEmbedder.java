package dev.ragtune.retrieval.embed;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * Sentence embeddings from a sentence-transformers ONNX model through ONNX Runtime: tokenised with DJL's Hugging Face
 * tokenizers binding, the transformer run in batches, then mean pooling over real tokens and L2 normalisation (so the
 * dot product of two embeddings is their cosine). Also the {@link TextTokenCounter} the chunker sizes chunks with.
 * Thread-safe (an ORT session may be run concurrently). Close it to free the native session.
 */
public final class SentenceEmbedder implements TextTokenCounter, AutoCloseable {

    private final String modelId;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer encoder;
    private final HuggingFaceTokenizer counter;
    private final boolean wantsTokenTypes;
    private final String outputName;
    private final int dimension;
    private final int batchSize;
    private final int maxLength;

    /**
     * @param source    the model
     * @param batchSize texts per ORT call
     * @param maxLength longest input in tokens, special tokens included (longer ones are truncated)
     * @param threads   ORT intra-op threads, 0 for ORT's default
     */
    public SentenceEmbedder(EmbeddingModelSource source, int batchSize, int maxLength, int threads) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("embedding batch size must be at least 1");
        }
        this.modelId = source.id();
        this.batchSize = batchSize;
        this.maxLength = maxLength;
        try {
            encoder = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(source.tokenizer()), Map.of(
                    "addSpecialTokens", "true", "truncation", "true", "maxLength", Integer.toString(maxLength), "padding", "false"));
            counter = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(source.tokenizer()), Map.of(
                    "addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of embedding model " + modelId, e);
        }
        try {
            env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                if (threads > 0) {
                    options.setIntraOpNumThreads(threads);
                }
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = env.createSession(source.onnx(), options);
            }
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (!inputs.containsKey("input_ids") || !inputs.containsKey("attention_mask")) {
                throw new IllegalArgumentException("embedding model " + modelId + " must take input_ids and attention_mask; it takes "
                        + inputs.keySet());
            }
            wantsTokenTypes = inputs.containsKey("token_type_ids");
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String chosen = null;
            for (String candidate : List.of("last_hidden_state", "token_embeddings")) {
                if (outputs.containsKey(candidate)) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen == null) {
                chosen = outputs.keySet().iterator().next();
            }
            outputName = chosen;
            long[] shape = ((TensorInfo) outputs.get(outputName).getInfo()).getShape();
            if (shape.length != 3) {
                throw new IllegalArgumentException("embedding model " + modelId + ": output '" + outputName
                        + "' must be token embeddings [batch, tokens, hidden], its shape is " + java.util.Arrays.toString(shape));
            }
            dimension = shape[2] > 0 ? (int) shape[2] : embedBatch(List.of("dimension probe"))[0].length;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load embedding model " + modelId + " into ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** The default model (all-MiniLM-L6-v2 from the classpath) with the given batch size. */
    public static SentenceEmbedder defaultModel(int batchSize) {
        return new SentenceEmbedder(EmbeddingModelSource.defaultModel(), batchSize, 256, 0);
    }

    public String modelId() {
        return modelId;
    }

    public int dimension() {
        return dimension;
    }

    public int maxLength() {
        return maxLength;
    }

    @Override
    public int count(String text) {
        return counter.encode(text, false, false).getIds().length;
    }

    @Override
    public int[] tokenEnds(String text) {
        CharSpan[] spans = counter.encode(text, false, false).getCharTokenSpans();
        int[] ends = new int[spans.length];
        int last = 0;
        for (int i = 0; i < spans.length; i++) {
            last = spans[i] == null ? last : Math.max(last, spans[i].getEnd());
            ends[i] = last;
        }
        return ends;
    }

    /** One embedding, L2-normalised. */
    public float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }

    /**
     * Embeddings of many texts, in input order, L2-normalised. Texts are sorted by length and run in batches of
     * {@code batchSize} so that padding is small.
     */
    public List<float[]> embed(List<String> texts) {
        Integer[] order = IntStream.range(0, texts.size()).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            List<String> batch = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                batch.add(texts.get(order[i]));
            }
            float[][] vectors = embedBatch(batch);
            for (int i = from; i < to; i++) {
                out[order[i]] = vectors[i - from];
            }
        }
        return List.of(out);
    }

    private float[][] embedBatch(List<String> batch) {
        TokenEmbeddings raw = tokenEmbeddings(batch);
        float[][] result = new float[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            result[b] = Pooling.meanNormalised(raw.values()[b], raw.mask()[b]);
        }
        return result;
    }

    /** The transformer's token embeddings for one batch (no pooling), with the attention mask. */
    public TokenEmbeddings tokenEmbeddings(List<String> batch) {
        Encoding[] encodings = encoder.batchEncode(batch);
        int rows = encodings.length;
        int width = 1;
        for (Encoding e : encodings) {
            width = Math.max(width, e.getIds().length);
        }
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] types = new long[rows * width];
        long[][] masks = new long[rows][width];
        for (int r = 0; r < rows; r++) {
            long[] rowIds = encodings[r].getIds();
            long[] rowTypes = encodings[r].getTypeIds();
            for (int t = 0; t < rowIds.length; t++) {
                ids[r * width + t] = rowIds[t];
                mask[r * width + t] = 1;
                types[r * width + t] = rowTypes[t];
                masks[r][t] = 1;
            }
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (wantsTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, java.util.Set.of(outputName))) {
                OnnxValue value = result.get(0);
                float[][][] values = (float[][][]) value.getValue();
                return new TokenEmbeddings(values, masks);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("embedding model " + modelId + " failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing anyway
        }
        encoder.close();
        counter.close();
    }
}
