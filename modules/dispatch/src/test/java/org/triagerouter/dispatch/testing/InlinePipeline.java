package org.triagerouter.dispatch.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.dispatch.DispatchSettings;
import org.triagerouter.dispatch.DispatchStage;
import org.triagerouter.inference.ChosenScores;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.prepare.EligibilityRules;
import org.triagerouter.prepare.PrepareSettings;
import org.triagerouter.prepare.PrepareStage;
import org.triagerouter.report.ReportSettings;
import org.triagerouter.report.ReportStage;
import org.triagerouter.report.ResultRecipient;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Transactions;
import org.triagerouter.store.testing.StageRun;

/**
 * The stages after ingest, each run in the test's own thread over the jobs it has due: for seeding studies through the
 * stages' own code. Prepare uses the default eligibility rules; infer writes the score the test chose for each image
 * ({@link ChosenScores}); report and dispatch are the real stages.
 */
public final class InlinePipeline {
    private final Database database;
    private final String node;

    /** @param node the node the images were received on (prepare jobs are pinned to it) */
    public InlinePipeline(Database database, String node) {
        this.database = database;
        this.node = node;
    }

    /** Prepares every image received on the node, then scores the eligible ones; an image given no score fails its inference. */
    public void prepareAndScore(ModelManifest model, Map<String, Double> scoresBySopInstanceUid) throws Exception {
        StageRun.untilIdle(database, JobKind.PREPARE, node, new PrepareStage(database, new PrepareSettings(EligibilityRules.defaults(), 512, node, 1)));
        StageRun.untilIdle(database, JobKind.INFER, null, new ChosenScores(database, model, scoresBySopInstanceUid));
    }

    /** Reports this study alone, as if its completion had just been found; its deliveries wait for {@link #deliver}. */
    public void report(ReportSettings settings, String studyInstanceUid) throws Exception {
        Transactions.run(database, c -> JobQueue.enqueue(c, JobKind.REPORT, studyInstanceUid, JobKind.ROUTINE));
        StageRun.untilIdle(database, JobKind.REPORT, null, new ReportStage(database, settings));
    }

    /** Report settings for {@code model} at its first operating point, one attempt per delivery: a destination that is down fails it. */
    public ReportSettings reportSettings(ModelManifest model, List<Destination> destinations) {
        ModelManifest.OperatingPoint point = model.operatingPoints().get(0);
        return new ReportSettings(model.id(), model.version(), model.demo(), point.name(), point.threshold(), Duration.ZERO, Duration.ofMinutes(10),
                recipients(destinations), 1, node);
    }

    /** The destinations as the report stage sees them (as serve maps them): what each wants with a result. */
    public static List<ResultRecipient> recipients(List<Destination> destinations) {
        return destinations.stream().map(d -> new ResultRecipient(d.name(), d.shadow(), d.keyObjects(),
                d.isHl7() && d.hl7().options().sendNotAnalyzed(), d.resultImage())).toList();
    }

    /** Runs the dispatch stage over the deliveries queued. */
    public void deliver(List<Destination> destinations) throws Exception {
        ClientSettings client = new ClientSettings("TRIAGE", Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, null);
        StageRun.untilIdle(database, JobKind.DISPATCH, null, new DispatchStage(database, new DispatchSettings(destinations, client)));
    }
}
