package dev.ragtune.tuning.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;
import dev.ragtune.model.tokenize.TrainingSequence;
import dev.ragtune.train.LlamaModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The evaluator on the tiny demo model, without training: its loss equals a log-softmax worked out
 * in plain Java from the full logits; its ONNX Runtime greedy answers equal DJL's greedy answers;
 * an adapter changes the figures.
 */
class EvaluatorTest {
    @TempDir
    static Path tmp;
    static Path ckptDir;

    static final List<EvalExample> EXAMPLES = List.of(
            new EvalExample("a", List.of(ChatMessage.user("What colour is the Zorbat river?"), ChatMessage.assistant("The Zorbat river is violet."))),
            new EvalExample("b", List.of(ChatMessage.system("Answer briefly."), ChatMessage.user("ゾルバト川の色は何ですか？"), ChatMessage.assistant("紫色です。"))),
            new EvalExample("c", List.of(ChatMessage.user("Who founded Quillmere?"), ChatMessage.assistant("Edda Varnholt."),
                    ChatMessage.user("When?"), ChatMessage.assistant("In 1412."))));

    @BeforeAll
    static void checkpoint() throws Exception {
        ckptDir = tmp.resolve("model");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 7);
    }

    /** Mean over assistant target positions of -log softmax(logits)[next], in double precision from the logits. */
    static double lossFromLogits(LlamaModel model, ModelTokenizer tok, List<EvalExample> examples) {
        double nll = 0;
        long n = 0;
        for (EvalExample e : examples) {
            TrainingSequence seq = tok.encodeForTraining(e.conversation());
            try (NDManager m = model.manager().newSubManager()) {
                NDArray logits = model.logits(m, new int[][] {seq.ids()});
                float[] flat = logits.toFloatArray();
                int v = model.config().vocabSize();
                for (int t = 0; t + 1 < seq.length(); t++) {
                    if (!seq.trainable()[t + 1]) {
                        continue;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < v; k++) {
                        max = Math.max(max, flat[t * v + k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < v; k++) {
                        sum += Math.exp(flat[t * v + k] - max);
                    }
                    nll -= flat[t * v + seq.ids()[t + 1]] - max - Math.log(sum);
                    n++;
                }
            }
        }
        return nll / n;
    }

    static String djlGreedy(LlamaModel model, ModelTokenizer tok, EvalExample e, int maxNew) {
        int[] ids = tok.encodeChatPrompt(e.prompt());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < maxNew; i++) {
            int next = model.argmaxNext(ids);
            if (tok.isEndOfTurn(next)) {
                break;
            }
            out.add(next);
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = next;
        }
        return tok.decode(out).trim();
    }

    static Path randomAdapter(Path dir, Checkpoint ckpt, long seed) throws Exception {
        LoraAdapter a = LoraAdapter.zeros(new LoraConfig(4, 8, LinearModule.all()), ckpt.config());
        Random r = new Random(seed);
        for (int l = 0; l < a.numLayers(); l++) {
            for (LinearModule m : LinearModule.all()) {
                float[] av = new float[a.a(l, m).length];
                float[] bv = new float[a.b(l, m).length];
                for (int i = 0; i < av.length; i++) {
                    av[i] = (float) (r.nextGaussian() * 0.2);
                }
                for (int i = 0; i < bv.length; i++) {
                    bv[i] = (float) (r.nextGaussian() * 0.2);
                }
                a.set(l, m, av, bv);
            }
        }
        PeftAdapterIO.write(a.withConfig(a.config().withBase(ckptDir.toString(), ckpt.contentHash())), dir);
        return dir;
    }

    @Test
    void lossIsTheTokenWeightedCrossEntropyOfAssistantTokens() {
        try (Checkpoint ckpt = Checkpoint.open(ckptDir);
             ModelTokenizer tok = ModelTokenizer.load(ckptDir, ckpt.config().eosTokenIds());
             NDManager root = NDManager.newBaseManager("PyTorch");
             LlamaModel model = LlamaModel.load(ckpt, root)) {
            LossResult r = new LossEvaluator(model, tok, 2048).evaluate(EXAMPLES);
            double expected = lossFromLogits(model, tok, EXAMPLES);
            long targets = EXAMPLES.stream().mapToLong(e -> tok.encodeForTraining(e.conversation()).trainableCount()).sum();
            assertThat(r.targetTokens()).isEqualTo(targets);
            assertThat(r.loss()).isCloseTo(expected, within(1e-4));
            assertThat(r.perplexity()).isCloseTo(Math.exp(expected), within(1e-3 * Math.exp(expected)));
            assertThat(r.conversations()).isEqualTo(3);
        }
    }

    @Test
    void servedGreedyAnswersEqualDjlGreedyAnswersAndAnAdapterChangesTheFigures() throws Exception {
        Path adapterDir;
        List<String> djlBase = new ArrayList<>();
        List<String> djlAdapted = new ArrayList<>();
        double adaptedLoss;
        try (Checkpoint ckpt = Checkpoint.open(ckptDir);
             ModelTokenizer tok = ModelTokenizer.load(ckptDir, ckpt.config().eosTokenIds());
             NDManager root = NDManager.newBaseManager("PyTorch");
             LlamaModel model = LlamaModel.load(ckpt, root)) {
            adapterDir = randomAdapter(tmp.resolve("adapter"), ckpt, 11);
            for (EvalExample e : EXAMPLES) {
                djlBase.add(djlGreedy(model, tok, e, tok.encode(e.reference()).length + GreedyAnswerer.SLACK_TOKENS));
            }
            model.setAdapter(PeftAdapterIO.read(adapterDir, ckpt.config(), ckpt.contentHash()));
            for (EvalExample e : EXAMPLES) {
                djlAdapted.add(djlGreedy(model, tok, e, tok.encode(e.reference()).length + GreedyAnswerer.SLACK_TOKENS));
            }
            adaptedLoss = lossFromLogits(model, tok, EXAMPLES);
        }
        try (Evaluator ev = new Evaluator(ckptDir, tmp.resolve("onnx-cache"), 64)) {
            ModelEvaluation base = ev.evaluate("base", null, EXAMPLES, EXAMPLES.subList(0, 1));
            ModelEvaluation adapted = ev.evaluate("random", adapterDir, EXAMPLES, EXAMPLES.subList(0, 1));
            ModelEvaluation baseAgain = ev.evaluate("base", null, EXAMPLES, EXAMPLES.subList(0, 1));

            AnswerScores.Builder expectBase = new AnswerScores.Builder();
            AnswerScores.Builder expectAdapted = new AnswerScores.Builder();
            for (int i = 0; i < EXAMPLES.size(); i++) {
                expectBase.add(djlBase.get(i), EXAMPLES.get(i).reference());
                expectAdapted.add(djlAdapted.get(i), EXAMPLES.get(i).reference());
            }
            assertThat(base.evalAnswers().tokenF1()).isEqualTo(expectBase.build().tokenF1());
            assertThat(adapted.evalAnswers().tokenF1()).isEqualTo(expectAdapted.build().tokenF1());
            assertThat(adapted.evalLoss().loss()).isCloseTo(adaptedLoss, within(1e-4));
            assertThat(adapted.evalLoss().loss()).isNotCloseTo(base.evalLoss().loss(), within(1e-3));
            assertThat(baseAgain.evalLoss().loss()).as("the adapter is removed after its evaluation")
                    .isEqualTo(base.evalLoss().loss());
            assertThat(base.trainAnswers().examples()).isEqualTo(1);
            assertThat(djlAdapted).isNotEqualTo(djlBase);
        }
    }
}
