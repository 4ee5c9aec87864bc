package org.triagerouter.analysis;

import java.io.IOException;
import java.nio.file.Path;

/** A CSV file that cannot be used; the message names the file, the line and, when known, the column. */
public class CsvFormatException extends IOException {
    public final Path file;
    /** 1-based line number in the file. */
    public final int line;
    /** The column's header name, or null when the problem is the line as a whole. */
    public final String column;

    public CsvFormatException(Path file, int line, String column, String problem) {
        super(file + ": line " + line + (column == null ? "" : ", column " + column) + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
    }
}
