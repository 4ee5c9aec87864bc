package org.triagerouter.app.command;

import java.io.PrintStream;
import java.util.function.DoubleConsumer;

/** A one-line progress bar for long computations (simulate, evaluate), redrawn only when the percentage changes. */
public final class ProgressBar implements DoubleConsumer {
    private final PrintStream out;
    private final String label;
    private int shown = -1;

    ProgressBar(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public synchronized void accept(double fraction) {
        int percent = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
        if (percent == shown) return;
        shown = percent;
        int filled = percent * 30 / 100;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + percent + "%");
        if (percent == 100) out.println();
        out.flush();
    }
}
