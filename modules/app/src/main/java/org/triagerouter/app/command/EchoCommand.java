package org.triagerouter.app.command;

import org.triagerouter.app.config.RouterConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.PresentationContext;
import org.triagerouter.dicom.net.RemoteAe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "echo", footer = {"", "Example:", "  triage-router echo PACS@10.0.0.5:4242"}, description = "C-ECHO a DICOM node: AE@HOST:PORT.")
public final class EchoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "AE@HOST:PORT")
    String target;

    @picocli.CommandLine.Mixin
    ScuOptions scu;

    @Override
    public Integer call() {
        try {
            RemoteAe remote = RemoteAe.parse(target);
            long start = System.nanoTime();
            DimseStatus status;
            try (ClientAssociation association = ClientAssociation.open(scu.clientSettings(), remote,
                    List.of(PresentationContext.proposed(1, Uids.VERIFICATION, Uids.UNCOMPRESSED_TRANSFER_SYNTAXES)))) {
                status = association.echo();
                association.release();
            }
            System.out.printf("C-ECHO %s: %s in %d ms%n", remote, status, (System.nanoTime() - start) / 1_000_000);
            return status.isSuccess() ? 0 : 1;
        } catch (IllegalArgumentException | RouterConfig.ConfigException e) {
            System.err.println("triage-router echo: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("triage-router echo: " + target + ": " + e.getMessage());
            return 1;
        }
    }
}
