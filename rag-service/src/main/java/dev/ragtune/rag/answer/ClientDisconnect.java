package dev.ragtune.rag.answer;

import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ServerHttpResponse;

import dev.ragtune.model.generate.Cancellation;

/**
 * A client that closes its connection cancels its generation: all tokens would be produced for nobody and the
 * generation slot stay taken. Registered on the current request's response (RESTEasy Reactive's close handler);
 * {@link #closed()} lets a writer that waits for tokens notice it too.
 */
public final class ClientDisconnect {
    private final ServerHttpResponse response;

    private ClientDisconnect(ServerHttpResponse response) {
        this.response = response;
    }

    /** Call on the request's thread. */
    public static ClientDisconnect cancels(Cancellation cancellation) {
        ResteasyReactiveRequestContext ctx = CurrentRequestManager.get();
        ServerHttpResponse response = ctx == null ? null : ctx.serverResponse();
        if (response != null) {
            response.addCloseHandler(cancellation::cancel);
        }
        return new ClientDisconnect(response);
    }

    public boolean closed() {
        return response != null && response.closed();
    }
}
