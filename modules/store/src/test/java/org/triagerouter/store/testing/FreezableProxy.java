package org.triagerouter.store.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay to a local port whose established connections can be made to go silent without closing:
 * what a network partition or a failed-over server looks like to a client (a half-open connection). New
 * connections after a freeze are relayed normally, as if to the server that took over.
 */
public final class FreezableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    /** While set, what clients send is held (not lost): their server sees them fall silent, and resume() delivers it. */
    private volatile boolean clientsPaused;

    private static final class Link {
        final Socket client;
        final Socket server;
        volatile boolean frozen;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }
    }

    public FreezableProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon(true).name("proxy-accept").start(this::accept);
    }

    public int port() { return listener.getLocalPort(); }

    /** Every connection open now stops carrying bytes in either direction; neither end is told. */
    public void freezeOpenConnections() {
        for (Link link : links) link.frozen = true;
    }

    /** Holds every client's bytes to the server from now on, so their sessions stay exactly where they are. */
    public void pauseClients() { clientsPaused = true; }

    /** Delivers what was held and relays again. */
    public void resumeClients() { clientsPaused = false; }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                Link link = new Link(client, server);
                links.add(link);
                Thread.ofPlatform().daemon(true).start(() -> pump(link, client, server, true));
                Thread.ofPlatform().daemon(true).start(() -> pump(link, server, client, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                while (fromClient && clientsPaused) Thread.onSpinWait();
                if (link.frozen) continue; // swallowed: the packets are lost on the way
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed.
        }
        if (!link.frozen) closeQuietly(link);
    }

    private static void closeQuietly(Link link) {
        try {
            link.client.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            link.server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Link link : links) closeQuietly(link);
    }
}
