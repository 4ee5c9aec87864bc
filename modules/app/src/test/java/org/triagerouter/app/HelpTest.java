package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command a user may type answers -h and --help with what it does, its options and an example, and exits 0. */
class HelpTest {
    private static final List<List<String>> COMMANDS = List.of(List.of("serve"), List.of("echo"), List.of("send"), List.of("generate"),
            List.of("db"), List.of("db", "migrate"), List.of("db", "prune"), List.of("reconcile"), List.of("retry"), List.of("status"),
            List.of("simulate"), List.of("evaluate"));

    @Test
    void everySubcommandAnswersHelpWithItsOptionsAndAnExample() {
        for (List<String> command : COMMANDS) {
            for (String flag : List.of("-h", "--help")) {
                StringWriter out = new StringWriter();
                CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
                List<String> args = new java.util.ArrayList<>(command);
                args.add(flag);
                int exit = cli.execute(args.toArray(String[]::new));
                String text = out.toString();
                assertEquals(0, exit, command + " " + flag + ": " + text);
                assertTrue(text.startsWith("Usage: triage-router " + String.join(" ", command)), command + " " + flag + ": " + text);
                assertTrue(text.contains("-h, --help"), "its options are listed: " + text);
                if (!command.equals(List.of("db"))) assertTrue(text.contains("Example:"), command + " shows an example: " + text);
            }
        }
    }

    @Test
    void anUnknownOptionIsAnErrorThatSaysSoAndExits2() {
        for (List<String> command : COMMANDS) {
            StringWriter err = new StringWriter();
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--no-such");
            int exit = Main.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
            assertEquals(2, exit, command + ": " + err);
            // a command with a required argument names that one first
            assertTrue(err.toString().contains("Unknown option: '--no-such'") || err.toString().startsWith("Missing required parameter"),
                    command + ": " + err);
        }
    }

    @Test
    void aFailureNoCommandHandlesIsOneLineNamingTheCommandAndExits1() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine().addSubcommand("boom", new Boom());
        cli.setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));
        assertEquals(1, cli.execute("boom"));
        assertEquals("triage-router boom: spool /data is read-only", err.toString().strip(), "one line, no stack trace");
    }

    @CommandLine.Command(name = "boom")
    static final class Boom implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("spool /data is read-only");
        }
    }
}
