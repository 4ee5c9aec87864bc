package org.triagerouter.dicom.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's DICOM listener: C-ECHO and C-STORE SCP. One virtual thread per connection; at most
 * {@code maxAssociations} are negotiated at once, further requests are rejected as transient
 * (local limit exceeded), and connections beyond twice that are closed at once.
 */
public final class DicomServer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(DicomServer.class);

    private final ServerSettings settings;
    private final StoreHandler handler;
    private final StorageCommitmentHandler commitments;
    private final AssociationNegotiator negotiator;
    private final Semaphore associationSlots;
    private final Semaphore connectionSlots;
    private final AtomicLong associationCounter = new AtomicLong();
    /** Makes association ids unique across restarts and nodes: a random prefix per server instance. */
    private final String idPrefix = java.util.UUID.randomUUID().toString().substring(0, 8);
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dicom-", 0).factory());
    private ServerSocket serverSocket;
    private Thread acceptor;
    private volatile boolean stopping;

    public DicomServer(ServerSettings settings, StoreHandler handler) {
        this(settings, handler, null);
    }

    /** With {@code commitments} set, also the SCU of Storage Commitment that a PACS reports to on an association it opens. */
    public DicomServer(ServerSettings settings, StoreHandler handler, StorageCommitmentHandler commitments) {
        this.settings = settings;
        this.handler = handler;
        this.commitments = commitments;
        this.negotiator = new AssociationNegotiator(settings, commitments != null);
        this.associationSlots = new Semaphore(settings.maxAssociations());
        this.connectionSlots = new Semaphore(settings.maxAssociations() * 2);
    }

    /** Binds and starts accepting; fails with a message naming the problem (port taken, bad address, spool). */
    public void start() throws IOException {
        Files.createDirectories(settings.incomingDirectory());
        if (!Files.isWritable(settings.incomingDirectory())) {
            throw new IOException("incoming directory " + settings.incomingDirectory() + " is not writable");
        }
        ServerSocket socket;
        if (settings.tls() != null) {
            SSLContext context = settings.tls().context();
            SSLServerSocket ssl = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            ssl.setSSLParameters(settings.tls().parameters(context));
            socket = ssl;
        } else {
            socket = new ServerSocket();
        }
        socket.setReuseAddress(true);
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port()), 128);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot listen on " + settings.bindAddress() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        serverSocket = socket;
        acceptor = Thread.ofPlatform().name("dicom-acceptor").daemon(true).start(this::acceptLoop);
    }

    /** The port actually bound (useful when configured as 0). */
    public int port() { return serverSocket.getLocalPort(); }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!stopping) log.warn("accept failed: {}", e.getMessage());
                continue;
            }
            if (!connectionSlots.tryAcquire()) {
                log.warn("refusing connection from {}: {} connections open", socket.getRemoteSocketAddress(), settings.maxAssociations() * 2);
                closeQuietly(socket);
                continue;
            }
            String id = idPrefix + "-" + associationCounter.incrementAndGet();
            threads.execute(() -> {
                try {
                    new ServerAssociation(id, socket, settings, negotiator, handler, associationSlots, commitments).run();
                } finally {
                    connectionSlots.release();
                }
            });
        }
    }

    /** Refuses new connections; the associations open now go on. */
    public void stopAccepting() {
        stopping = true;
        if (serverSocket != null) closeQuietly(serverSocket);
    }

    /** Stops accepting and gives the open associations up to {@code timeout} to end; true when they all did. */
    public boolean drain(java.time.Duration timeout) {
        stopAccepting();
        threads.shutdown();
        try {
            return threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stopAccepting();
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) threads.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing useful to do.
        }
    }
}
