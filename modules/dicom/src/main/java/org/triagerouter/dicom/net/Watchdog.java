package org.triagerouter.dicom.net;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines that socket timeouts cannot give: SO_TIMEOUT restarts on every byte read and does not
 * apply to writes at all. A guard closes the socket when its deadline passes, which unblocks any
 * read or write on it; the caller asks {@link Guard#fired()} to tell a timeout from a real failure.
 */
final class Watchdog {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Watchdog() {}

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dicom-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // guards are mostly cancelled: keep the queue small
        return timer;
    }

    static Guard arm(Socket socket, Duration timeout) {
        Guard guard = new Guard(socket);
        guard.future = TIMER.schedule(guard::fire, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        return guard;
    }

    static final class Guard implements AutoCloseable {
        private final Socket socket;
        private volatile ScheduledFuture<?> future;
        private volatile boolean fired;

        private Guard(Socket socket) { this.socket = socket; }

        private void fire() {
            fired = true;
            if (socket instanceof javax.net.ssl.SSLSocket) {
                try {
                    // Without linger 0, SSLSocket.close() waits (unbounded) for the TLS output lock a writer stuck on a stalled
                    // peer holds, and this one timer thread would stop every deadline in the process with it. (A plain
                    // socket's close never waits, and keeps its orderly FIN.)
                    socket.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // Already closed.
                }
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is all we wanted.
            }
        }

        boolean fired() { return fired; }

        @Override
        public void close() {
            ScheduledFuture<?> f = future;
            if (f != null) f.cancel(false);
        }
    }
}
