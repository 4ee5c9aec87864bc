package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.triagerouter.dicom.Uids;

/**
 * The Conformance Statement lists everything the code speaks: every DICOM UID written in the router's sources (SOP
 * classes, transfer syntaxes, application context and the like) appears in {@code docs/conformance-statement.md},
 * so a SOP class or syntax added to the code without a line in the statement fails here.
 */
class ConformanceStatementTest {
    private static final Path ROOT = Path.of("../..");
    private static final Path STATEMENT = ROOT.resolve("docs/conformance-statement.md");
    /** A DICOM-rooted UID in a Java string literal (a trailing dot: a root such as the storage SOP classes'). */
    private static final Pattern UID_LITERAL = Pattern.compile("\"(1\\.2\\.840\\.10008\\.[0-9.]+)\"");
    /** The PS3.2 Annex A chapters a reader looks for. */
    private static final List<String> CHAPTERS = List.of("## 1 Conformance Statement Overview", "## 4 Networking",
            "### 4.1 Implementation model", "#### 4.2.2 Association policies", "#### 4.2.3 Association initiation policy",
            "#### 4.2.4 Association acceptance policy", "### 4.3 Network interfaces", "### 4.4 Configuration",
            "## 6 Support of character sets", "## 7 Security", "### 8.1 IOD contents of created objects",
            "### 8.3 Storage SCP level of support");

    @Test
    void everyUidInTheCodeIsInTheStatement() throws IOException {
        String statement = Files.readString(STATEMENT);
        TreeMap<String, Path> uids = uidsInSources();
        assertTrue(uids.size() >= 20, "too few UIDs found in the sources, is the scan broken? " + uids.keySet());
        TreeSet<String> missing = new TreeSet<>();
        for (var uid : uids.entrySet()) {
            if (!statement.contains("`" + uid.getKey() + "`")) missing.add(uid.getKey() + " (" + uid.getValue() + ")");
        }
        assertEquals(Set.of(), missing, "UIDs the code uses but docs/conformance-statement.md does not list (in backticks)");
    }

    @Test
    void everyAcceptedTransferSyntaxIsInTheAcceptanceTable() throws IOException {
        String statement = Files.readString(STATEMENT);
        String acceptance = statement.substring(statement.indexOf("#### 4.2.4"), statement.indexOf("### 4.3"));
        for (String ts : Uids.DECODABLE_TRANSFER_SYNTAXES) {
            assertTrue(acceptance.contains("`" + ts + "`"), ts + " is accepted by default but not in the acceptance policy");
        }
    }

    @Test
    void statementHasThePartTwoChapters() throws IOException {
        String statement = Files.readString(STATEMENT);
        for (String chapter : CHAPTERS) assertTrue(statement.contains("\n" + chapter), "missing: " + chapter);
    }

    private static TreeMap<String, Path> uidsInSources() throws IOException {
        TreeMap<String, Path> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("modules"))) {
            for (Path file : (Iterable<Path>) files.filter(ConformanceStatementTest::isMainSource)::iterator) {
                Matcher m = UID_LITERAL.matcher(Files.readString(file));
                while (m.find()) found.putIfAbsent(m.group(1), ROOT.relativize(file));
            }
        }
        return found;
    }

    private static boolean isMainSource(Path file) {
        String path = file.toString().replace('\\', '/');
        return path.endsWith(".java") && path.contains("/src/main/java/");
    }
}
