package org.triagerouter.inference;

import java.io.IOException;
import java.nio.file.Path;

/** A model manifest that cannot be used; the message names the file and the offending field. */
public class InvalidManifestException extends IOException {
    public final Path file;
    /** Dotted path of the field, e.g. {@code input.channels} or {@code priorityBands[2].to}. */
    public final String field;

    public InvalidManifestException(Path file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = file;
        this.field = field;
    }
}
