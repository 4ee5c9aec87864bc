package org.triagerouter.ingest;

import java.nio.file.Path;

/**
 * @param spool          where instances live, one folder per study; {@code incoming/} below it holds transfers in flight,
 *                       {@code orphans/} the files the reconciler found without a row (see {@link SpoolReconciler})
 * @param minFreeBytes   below this much usable space under the spool, new C-STOREs are refused with 0xA700
 * @param node           this router's name: whose spool a file is in, when several nodes share the database
 */
public record IngestSettings(Path spool, long minFreeBytes, String node) {
    public IngestSettings {
        spool = spool.toAbsolutePath().normalize(); // rows store absolute paths, whatever the working directory
    }

    public Path incoming() { return spool.resolve("incoming"); }

    public Path orphans() { return spool.resolve("orphans"); }
}
