package org.triagerouter.ingest;

import java.nio.file.Path;

/** A second process trying the spool lock: exits 3 with the message when it is taken. */
public final class SpoolLockProbe {
    public static void main(String[] args) throws Exception {
        try (SpoolLock lock = SpoolLock.acquire(Path.of(args[0]))) {
            System.out.println("acquired");
        } catch (java.io.IOException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
