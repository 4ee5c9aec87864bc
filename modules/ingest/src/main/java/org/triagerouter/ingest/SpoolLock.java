package org.triagerouter.ingest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One router process per spool: a second one (started by mistake, or overlapping a restart) would
 * reconcile away files the first has moved into place but not yet committed.
 */
public final class SpoolLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static SpoolLock acquire(Path spool) throws IOException {
        Files.createDirectories(spool);
        FileChannel channel = FileChannel.open(spool.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new InUseException("spool " + spool + " is in use by another router process");
        }
        return new SpoolLock(channel, lock);
    }

    /** Another process holds the spool's lock. */
    public static final class InUseException extends IOException {
        InUseException(String message) { super(message); }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
