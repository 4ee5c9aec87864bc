package org.triagerouter.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code triage-router} command line. */
@Command(name = "triage-router", mixinStandardHelpOptions = true, version = "triage-router " + Main.VERSION,
        description = "DICOM router that puts a chest X-ray triage model in the imaging workflow.",
        subcommands = {ServeCommand.class, EchoCommand.class, SendCommand.class, GenerateCommand.class, DbCommand.class, ReconcileCommand.class, RetryCommand.class, StatusCommand.class, SimulateCommand.class, EvaluateCommand.class, InferenceBenchmark.class, EndToEndBenchmark.class, DashboardBenchmark.class,
                org.triagerouter.app.soak.SoakBenchmark.class})
public final class Main implements Runnable {
    static final String VERSION = "0.1.0";

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
