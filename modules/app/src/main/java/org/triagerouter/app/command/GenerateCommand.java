package org.triagerouter.app.command;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "generate", footer = {"", "Example:", "  triage-router generate images/ --count 20"}, description = "Write synthetic chest radiographs (DX/CR, 12-bit, PA/AP/LL) for demos and benchmarks.")
public final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FOLDER")
    Path folder;

    @Option(names = "--count", description = "number of images (default ${DEFAULT-VALUE})")
    int count = 4;

    @Option(names = "--rows", description = "rows (default ${DEFAULT-VALUE})")
    int rows = 2500;

    @Option(names = "--columns", description = "columns (default ${DEFAULT-VALUE})")
    int columns = 2048;

    @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
    long seed = 1;

    @Override
    public Integer call() {
        try {
            List<Path> files = SyntheticChestImages.writeSet(folder, count, rows, columns, seed);
            System.out.printf("wrote %d synthetic chest image(s) to %s%n", files.size(), folder);
            return 0;
        } catch (IOException e) {
            System.err.println("triage-router generate: " + e.getMessage());
            return 1;
        }
    }
}
