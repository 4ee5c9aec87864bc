package org.triagerouter.app;

import org.triagerouter.app.bench.DashboardBenchmark;
import org.triagerouter.app.bench.EndToEndBenchmark;
import org.triagerouter.app.bench.InferenceBenchmark;
import org.triagerouter.app.bench.PrepareBenchmark;
import org.triagerouter.app.command.DbCommand;
import org.triagerouter.app.command.EchoCommand;
import org.triagerouter.app.command.EvaluateCommand;
import org.triagerouter.app.command.GenerateCommand;
import org.triagerouter.app.command.ReconcileCommand;
import org.triagerouter.app.command.RetryCommand;
import org.triagerouter.app.command.SendCommand;
import org.triagerouter.app.command.SimulateCommand;
import org.triagerouter.app.command.StatusCommand;
import org.triagerouter.app.serve.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code triage-router} command line. */
@Command(name = "triage-router", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, // -h/--help on every subcommand
        version = "triage-router " + Main.VERSION,
        description = "DICOM router that puts a chest X-ray triage model in the imaging workflow.",
        subcommands = {ServeCommand.class, EchoCommand.class, SendCommand.class, GenerateCommand.class, DbCommand.class, ReconcileCommand.class, RetryCommand.class, StatusCommand.class, SimulateCommand.class, EvaluateCommand.class, InferenceBenchmark.class, PrepareBenchmark.class, EndToEndBenchmark.class, DashboardBenchmark.class,
                org.triagerouter.app.bench.soak.SoakBenchmark.class})
public final class Main implements Runnable {
    public static final String VERSION = org.triagerouter.dicom.RouterVersion.VERSION;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line every command runs in, so that all of them fail one way: 0 done, 1 the operation failed, 2 bad
     * arguments or configuration (picocli's usage errors and each command's own checks). An exception a command does not
     * handle is one line naming the command and the problem, exit 1; its stack trace only with TRIAGE_LOG_LEVEL=DEBUG.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(Main::reportFailure);
    }

    private static int reportFailure(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + message);
        if ("DEBUG".equalsIgnoreCase(System.getenv("TRIAGE_LOG_LEVEL"))) e.printStackTrace(command.getErr());
        command.getErr().flush();
        return 1;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
