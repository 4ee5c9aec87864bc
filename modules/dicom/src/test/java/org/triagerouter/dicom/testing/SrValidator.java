package org.triagerouter.dicom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * PixelMed's {@code com.pixelmed.validate.DicomSRValidator -checktemplateid}, the SR validator IHE uses, run as its own
 * program on a written SR, exactly as on the command line: IOD check, then the content tree against its root template.
 *
 * <p>Debian's {@code /usr/share/java/pixelmed.jar} is the whole class path: its manifest's Class-Path brings the
 * slf4j jars it logs with, and the validator needs nothing else (the XSLT engine is the JDK's). Recent JDKs cap XPath
 * expression sizes below what PixelMed's compiled template rules need, hence the three {@code jdk.xml} limits lifted.
 * The program exits 0 whatever it finds and prints one line per finding, {@code Error: ...} or {@code Warning: ...};
 * a run that did not get to its closing {@code IOD validation complete} line (an exception) is a failure of the check.
 * (In PixelMed 20220618 the {@code -checktemplateid} switch in fact turns on the content item order check; docs/sr.md.)
 */
public final class SrValidator {
    private SrValidator() {}

    public static final Path PIXELMED_JAR = Path.of("/usr/share/java/pixelmed.jar");

    /** What the validator printed, and its findings split by severity. */
    public record Report(String output, List<String> errors, List<String> warnings) {
        /** The root template it recognised, e.g. {@code TID_1500}; null when it found none. */
        public String rootTemplate() {
            return output.lines().filter(l -> l.startsWith("Found Root Template ")).findFirst()
                    .map(l -> l.substring("Found Root Template ".length()).split(" ")[0]).orElse(null);
        }
    }

    public static Report validate(Path sr) throws IOException, InterruptedException {
        if (!Files.isRegularFile(PIXELMED_JAR)) throw new IOException(PIXELMED_JAR + " is missing: install Debian's libpixelmed-java");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ExternalTool.Result run = ExternalTool.run(Duration.ofMinutes(3), List.of(java,
                "-Djdk.xml.xpathExprOpLimit=0", "-Djdk.xml.xpathExprGrpLimit=0", "-Djdk.xml.xpathTotalOpLimit=0",
                "-cp", PIXELMED_JAR.toString(), "com.pixelmed.validate.DicomSRValidator", "-checktemplateid", sr.toString()));
        String output = run.output();
        if (run.exitCode() != 0 || output.lines().noneMatch(l -> l.equals("IOD validation complete"))) {
            throw new IOException("DicomSRValidator did not complete on " + sr + " (exit " + run.exitCode() + "):\n" + output);
        }
        return new Report(output, output.lines().filter(l -> l.startsWith("Error")).toList(),
                output.lines().filter(l -> l.startsWith("Warning")).toList());
    }
}
