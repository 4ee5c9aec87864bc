package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.RouterConfig;
import org.triagerouter.app.serve.StageWorkers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.triagerouter.analysis.simulation.AiFlagger;
import org.triagerouter.analysis.simulation.ArrivalCsv;
import org.triagerouter.analysis.simulation.ArrivalSource;
import org.triagerouter.analysis.simulation.DailyProfile;
import org.triagerouter.analysis.simulation.OperatingPointFlagger;
import org.triagerouter.analysis.simulation.PoissonArrivals;
import org.triagerouter.analysis.simulation.ReadingRoomSimulation;
import org.triagerouter.analysis.simulation.ReadingTimeDistribution;
import org.triagerouter.analysis.simulation.ReadingTimes;
import org.triagerouter.analysis.simulation.RecordedArrivals;
import org.triagerouter.analysis.simulation.ScoreThresholdFlagger;
import org.triagerouter.analysis.simulation.SimulationReport;
import org.triagerouter.analysis.simulation.SimulationResult;
import org.triagerouter.analysis.simulation.SimulationSettings;
import org.triagerouter.analysis.simulation.StudyArrival;
import org.triagerouter.analysis.simulation.WorklistPolicy;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A reading room simulated under three worklist policies (first in first out, AI-prioritised, AI-prioritised
 * with a wait cap): turnaround for truly abnormal and normal studies, as a table, a PNG chart and a markdown report.
 */
@Command(name = "simulate", footer = {"", "Example:", "  triage-router simulate --scenario docs/simulation/paper-setup.yaml"}, description = "Simulate a reading room's turnaround under FIFO, AI-prioritised and wait-capped worklists.",
        sortOptions = false)
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--scenario", description = "YAML scenario (see docs/simulation.md); options given here override it")
    Path scenarioFile;

    @Option(names = "--arrivals", description = "poisson (default), csv (--arrivals-csv) or database (the router's studies with final reads)")
    String arrivals;

    @Option(names = "--studies-per-day", description = "Poisson arrivals: mean studies per day (default 200)")
    Double studiesPerDay;

    @Option(names = "--days", description = "Poisson arrivals: simulated days (default 28)")
    Double days;

    @Option(names = "--prevalence", description = "Poisson arrivals: share of truly abnormal studies (default 0.3)")
    Double prevalence;

    @Option(names = "--daily-profile", description = "Poisson arrivals: flat, hospital (default) or 24 comma-separated hourly weights")
    String dailyProfile;

    @Option(names = "--arrivals-csv", description = "CSV with columns arrival, label[, score][, id]")
    Path arrivalsCsv;

    @Option(names = "--database-days", description = "database arrivals: studies first received within this many days (default 30)")
    Double databaseDays;

    @Option(names = "--sensitivity", description = "the AI at an operating point: sensitivity (default 0.9)")
    Double sensitivity;

    @Option(names = "--specificity", description = "the AI at an operating point: specificity (default 0.8)")
    Double specificity;

    @Option(names = "--threshold", description = "flag by each study's own score (CSV or stored) at this threshold instead of "
            + "sensitivity/specificity (database arrivals: default the configured operating point's)")
    Double threshold;

    @Option(names = "--radiologists", description = "radiologists reading one shared worklist (default 2)")
    Double radiologists;

    @Option(names = "--reading-time", description = "seconds per normal study: fixed:S, exponential:MEAN or lognormal:MEAN,SD (default lognormal:180,90)")
    String readingTime;

    @Option(names = "--abnormal-reading-time", description = "seconds per abnormal study (default: as --reading-time)")
    String abnormalReadingTime;

    @Option(names = "--wait-cap", description = "minutes after which a waiting study is read next (default 60; 0 leaves that policy out)")
    Double waitCapMinutes;

    @Option(names = "--replications", description = "independent runs pooled (default 10)")
    Double replications;

    @Option(names = "--seed", description = "random seed, for a reproducible report (default 1)")
    Long seed;

    @Option(names = "--out", description = "folder for simulation.md and simulation.png (default simulation-report)")
    Path out = Path.of("simulation-report");

    @Option(names = "--config", description = "router configuration, for --arrivals database: its database and model (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        try {
            SimulationScenario scenario = scenarioFile == null ? SimulationScenario.none() : SimulationScenario.load(scenarioFile);
            SimulationSettings settings = settings(scenario);
            SimulationResult result = ReadingRoomSimulation.run(settings, new ProgressBar(System.err, "simulating"));
            SimulationReport report = new SimulationReport(result);
            System.out.print(report.table());
            Files.createDirectories(out);
            report.writeMarkdown(out.resolve("simulation.md"), out.resolve("simulation.png"));
            System.out.println("report: " + out.resolve("simulation.md") + " (chart " + out.resolve("simulation.png") + ")");
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("triage-router simulate: " + e.getMessage());
            return 2;
        } catch (RouterConfig.ConfigException e) {
            System.err.println("triage-router simulate: bad configuration: " + e.getMessage());
            return 2;
        } catch (IOException | SQLException e) {
            System.err.println("triage-router simulate: " + e.getMessage());
            return 1;
        }
    }

    SimulationSettings settings(SimulationScenario s) throws IOException, SQLException, RouterConfig.ConfigException {
        double cap = s.number("waitCapMinutes", waitCapMinutes, 60);
        if (cap < 0) throw new IllegalArgumentException("--wait-cap must be 0 (off) or more minutes");
        List<WorklistPolicy> policies = cap > 0 ? WorklistPolicy.standardSet(cap * 60)
                : List.of(new WorklistPolicy.Fifo(), new WorklistPolicy.Prioritised());
        ReadingTimeDistribution normal = ReadingTimeDistribution.parse(s.text("readingTime.normal", readingTime, "lognormal:180,90"));
        String abnormal = s.text("readingTime.abnormal", abnormalReadingTime, null);
        ReadingTimes times = new ReadingTimes(normal, abnormal == null ? normal : ReadingTimeDistribution.parse(abnormal));
        return new SimulationSettings(arrivalSource(s), flagger(s), times, whole(s.number("radiologists", radiologists, 2), "radiologists"),
                policies, whole(s.number("replications", replications, 10), "replications"), seed != null ? seed : (long) s.number("seed", null, 1));
    }

    private ArrivalSource arrivalSource(SimulationScenario s) throws IOException, SQLException, RouterConfig.ConfigException {
        String source = s.text("arrivals.source", arrivals, "poisson").toLowerCase(Locale.ROOT);
        return switch (source) {
            case "poisson" -> new PoissonArrivals(s.number("arrivals.studiesPerDay", studiesPerDay, 200), s.number("arrivals.prevalence", prevalence, 0.3),
                    s.number("arrivals.days", days, 28), profile(s.text("arrivals.dailyProfile", dailyProfile, "hospital")));
            case "csv" -> {
                Path csv = s.path("arrivals.csv", arrivalsCsv);
                if (csv == null) throw new IllegalArgumentException("--arrivals csv needs --arrivals-csv FILE");
                yield ArrivalCsv.read(csv);
            }
            case "database" -> fromDatabase(s.number("arrivals.databaseDays", databaseDays, 30));
            default -> throw new IllegalArgumentException("--arrivals must be poisson, csv or database, not '" + source + "'");
        };
    }

    /** The configured operating point's threshold, once database arrivals have been read. */
    private Double configuredThreshold;

    private AiFlagger flagger(SimulationScenario s) {
        boolean byScores = threshold != null || Boolean.parseBoolean(s.text("ai.scores", null, "false"));
        boolean operatingPointGiven = sensitivity != null || specificity != null || s.text("ai.sensitivity", null, null) != null;
        // Replaying the router's own studies: by default the AI is what the router did, its scores at its operating point.
        if (configuredThreshold != null && !operatingPointGiven) byScores = true;
        double fallback = configuredThreshold != null ? configuredThreshold : 0.5;
        if (byScores) return new ScoreThresholdFlagger(s.number("ai.threshold", threshold, fallback));
        return new OperatingPointFlagger(s.number("ai.sensitivity", sensitivity, 0.9), s.number("ai.specificity", specificity, 0.8));
    }

    private static DailyProfile profile(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "flat" -> DailyProfile.flat();
            case "hospital" -> DailyProfile.hospitalDay();
            default -> DailyProfile.parse(name);
        };
    }

    /**
     * The router's own studies that have a final read: their arrival times, truth, and the score the configured
     * model gave them (none when it reported nothing; flagging by score then refuses, naming the study).
     */
    private RecordedArrivals fromDatabase(double withinDays) throws SQLException, IOException, RouterConfig.ConfigException {
        List<StudyArrival> studies = new ArrayList<>();
        RouterConfig settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
        ModelManifest model = ModelManifest.load(StageWorkers.manifestPath(settings));
        configuredThreshold = StageWorkers.reportSettings(settings, model).threshold();
        try (Database database = new Database(settings.databaseSettings());
             Connection c = database.connection();
             PreparedStatement q = c.prepareStatement("""
                     select s.study_instance_uid, s.first_received_at, g.label, """ + ReportedScore.OF_STUDY + """
                      as score from study s join ground_truth g on g.study_id = s.id
                      where s.first_received_at > now() - ? * interval '1 day' order by s.first_received_at""")) {
            q.setString(1, model.id());
            q.setString(2, model.version());
            q.setDouble(3, withinDays);
            try (ResultSet rs = q.executeQuery()) {
                OffsetDateTime first = null;
                while (rs.next()) {
                    OffsetDateTime at = rs.getObject(2, OffsetDateTime.class);
                    if (first == null) first = at;
                    double seconds = java.time.Duration.between(first, at).toNanos() / 1e9;
                    Double score = rs.getObject(4, Double.class); // no reported result: no score
                    studies.add(new StudyArrival(rs.getString(1), seconds, "ABNORMAL".equals(rs.getString(3)), score));
                }
            }
        }
        if (studies.isEmpty()) {
            throw new IllegalArgumentException("no study of the last " + withinDays + " days has a final read: post reads to /api/ground-truth "
                    + "(or load them with evaluate --labels FILE --record)");
        }
        return new RecordedArrivals(studies, "the router's database, " + studies.size() + " studies with final reads, scores of "
                + model.id() + " " + model.version());
    }

    private static int whole(double value, String name) {
        if (value != Math.rint(value)) throw new IllegalArgumentException(name + " must be a whole number, not " + value);
        return (int) value;
    }
}
