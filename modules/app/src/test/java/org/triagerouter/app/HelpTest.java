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
                CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
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
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err)).execute("serve", "--no-such");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("Unknown option: '--no-such'"), err.toString());
    }
}
