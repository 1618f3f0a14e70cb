package dev.ragtune.rag.answer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.Generator;
import dev.ragtune.model.generate.TokenListener;

/**
 * Runs generations on a bounded pool of platform threads over the one shared ONNX Runtime
 * session: at most {@code maxConcurrent} decode at once, at most {@code maxQueued} wait, more are
 * refused with {@link GenerationBusyException}. Never runs on the caller's (event-loop) thread.
 */
public final class GenerationPool implements AutoCloseable {
    private final Generator generator;
    private final ThreadPoolExecutor pool;
    private final int maxConcurrent;
    private final AtomicInteger active = new AtomicInteger();

    public GenerationPool(Generator generator, int maxConcurrent, int maxQueued) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("generation max-concurrent must be at least 1, got " + maxConcurrent);
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("generation max-queued must be >= 0, got " + maxQueued);
        }
        this.generator = generator;
        this.maxConcurrent = maxConcurrent;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 60, TimeUnit.SECONDS,
                maxQueued == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(maxQueued),
                r -> {
                    Thread t = new Thread(r, "rag-generation-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public Generator generator() {
        return generator;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** Generations decoding now. */
    public int active() {
        return active.get();
    }

    /** Generations waiting for a slot. */
    public int queued() {
        return pool.getQueue().size();
    }

    /**
     * Queues a generation; the listener is called on the pool's thread for every token.
     *
     * @throws GenerationBusyException when the queue is full
     */
    public CompletableFuture<GenerationResult> submit(GenerationRequest request, TokenListener listener) {
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                if (request.cancellation().isCancelled()) {
                    result.cancel(false);
                    return;
                }
                active.incrementAndGet();
                try {
                    result.complete(generator.generate(request, listener));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    active.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            throw new GenerationBusyException("all " + maxConcurrent + " generation slots are busy and "
                    + pool.getQueue().size() + " requests are waiting; retry later");
        }
        return result;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
