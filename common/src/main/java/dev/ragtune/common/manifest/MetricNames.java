package dev.ragtune.common.manifest;

/**
 * The keys of a version manifest's {@code metrics} object ({@link VersionManifest#METRICS}): what the tuning-worker
 * writes, the registry's promotion gate and the worker's staging rule compare ({@link CandidateComparison}), and the
 * CLI shows. The names are the wire format; they never change meaning.
 *
 * <pre>{@code
 * "metrics": {"evalSet": "facts-bot-eval-…", "eval_loss": 3.9, "perplexity": 49.4, "exact_match": 0.0, "eval_token_f1": 0.41,
 *             "train_exact_match": 1.0, "train_token_f1": 1.0, "eval_examples": 3, "eval_target_tokens": 36,
 *             "train_sample_examples": 20, "base": {…}, "production": {…, "version": 2}, "final_train_loss": …,
 *             "tokens_per_second": …, "skipped_steps": 0}
 * }</pre>
 *
 * A figure that was not measured (e.g. no eval records) is JSON {@code null}.
 */
public final class MetricNames {

    /**
     * Which eval split the figures were measured on: two versions' eval-split figures are comparable only when this
     * (a non-empty string) is the same. The worker writes {@code <adapter>-eval-<16 hex>}, a hash of the eval record ids.
     */
    public static final String EVAL_SET = "evalSet";

    /** Mean next-token cross-entropy on the eval split's answer tokens; lower is better. */
    public static final String EVAL_LOSS = "eval_loss";
    /** {@code exp(eval_loss)}. */
    public static final String PERPLEXITY = "perplexity";
    /** Share of eval-split questions answered exactly (after normalisation); higher is better. */
    public static final String EXACT_MATCH = "exact_match";
    /** Mean token F1 of the eval-split answers. */
    public static final String EVAL_TOKEN_F1 = "eval_token_f1";
    /** Exact match on the job's fixed sample of its training split (knowledge injected and retained); higher is better. */
    public static final String TRAIN_EXACT_MATCH = "train_exact_match";
    /** Mean token F1 on the training sample. */
    public static final String TRAIN_TOKEN_F1 = "train_token_f1";
    /** How many eval-split examples were answered. */
    public static final String EVAL_EXAMPLES = "eval_examples";
    /** How many answer tokens the eval loss averages over. */
    public static final String EVAL_TARGET_TOKENS = "eval_target_tokens";
    /** How many training-sample examples were answered. */
    public static final String TRAIN_SAMPLE_EXAMPLES = "train_sample_examples";

    /** The base model's figures, measured in the same job on the same data (an object with the keys above). */
    public static final String BASE = "base";
    /** The production version's figures, measured in the same job on the same data; {@code null} when there was none. */
    public static final String PRODUCTION = "production";
    /** In {@link #PRODUCTION}: which version production was when it was measured. */
    public static final String PRODUCTION_VERSION = "version";

    /** The training run's last step loss. */
    public static final String FINAL_TRAIN_LOSS = "final_train_loss";
    /** Training throughput. */
    public static final String TOKENS_PER_SECOND = "tokens_per_second";
    /** Training steps skipped (non-finite gradients). */
    public static final String SKIPPED_STEPS = "skipped_steps";

    private MetricNames() {
    }
}
