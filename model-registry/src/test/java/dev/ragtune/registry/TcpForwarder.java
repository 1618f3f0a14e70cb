package dev.ragtune.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP forwarder from a loopback port of its own to a target host and port: a network path to the
 * registry that a test can cut and restore while the registry itself keeps running. {@link #stop()} closes the
 * listening socket and every forwarded connection, so nothing listens on {@link #port()} any more (a client's connect
 * is refused, as when the registry is down); {@link #start()} listens on the same port again.
 */
final class TcpForwarder implements AutoCloseable {
    private final InetAddress host = InetAddress.getLoopbackAddress();
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile int port;
    private volatile ServerSocket server;

    private TcpForwarder(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Listens on a free loopback port and forwards every connection to {@code targetHost:targetPort}. */
    static TcpForwarder to(String targetHost, int targetPort) {
        TcpForwarder f = new TcpForwarder(targetHost, targetPort);
        f.start();
        return f;
    }

    int port() {
        return port;
    }

    /** {@code http://<loopback>:<port>}: the forwarded service's base URL through this path. */
    URI httpUrl() {
        String h = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        return URI.create("http://" + h + ":" + port);
    }

    /** Listens (again) on {@link #port()}; the first start picks a free port. */
    synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port), 50);
            port = s.getLocalPort();
            server = s;
            Thread.ofPlatform().daemon().name("tcp-forwarder-" + port).start(() -> accept(s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    /** Cuts the path: stops listening and closes every forwarded connection. */
    synchronized void stop() {
        ServerSocket s = server;
        server = null;
        closeQuietly(s);
        for (Socket c : open) {
            closeQuietly(c);
        }
        open.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // stopped
            }
            Socket target = new Socket();
            try {
                target.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(target);
                continue;
            }
            open.add(client);
            open.add(target);
            AtomicInteger running = new AtomicInteger(2);
            pump(client, target, running);
            pump(target, client, running);
        }
    }

    /**
     * Copies {@code from} to {@code to}; at the end of {@code from} half-closes {@code to}. The second of a connection's
     * two pumps to finish closes both sockets.
     */
    private void pump(Socket from, Socket to, AtomicInteger running) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // closed by stop() or broken: the whole connection ends
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                if (running.decrementAndGet() == 0) {
                    closeQuietly(from);
                    closeQuietly(to);
                    open.remove(from);
                    open.remove(to);
                }
            }
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
