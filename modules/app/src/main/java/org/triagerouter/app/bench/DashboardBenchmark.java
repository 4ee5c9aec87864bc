package org.triagerouter.app.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.web.Access;
import org.triagerouter.web.ModelInfo;
import org.triagerouter.web.Readiness;
import org.triagerouter.web.WebServer;
import org.triagerouter.web.WebSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How the dashboard's API holds up on a long-lived database: seeds a history of studies as the pipeline
 * leaves them (instances, five kinds of jobs, scores, canonical images, results, deliveries, 1 % failures),
 * then times each endpoint the pages poll every 2 s. Used by {@code scripts/bench dashboard}.
 */
@Command(name = "bench-dashboard", hidden = true, description = "Dashboard API latency on a seeded history (used by scripts/bench).")
public final class DashboardBenchmark implements Callable<Integer> {
    @Option(names = "--database-url", required = true) String url;
    @Option(names = "--password", defaultValue = "") String password;
    @Option(names = "--studies", defaultValue = "100000") int studies;
    @Option(names = "--reuse", description = "time an already seeded database") boolean reuse;
    @Option(names = "--requests", defaultValue = "20") int requests;

    @Override
    public Integer call() throws Exception {
        try (Database database = new Database(new DatabaseSettings(url, "triage", password, 8, Duration.ofSeconds(30)))) {
            database.migrate();
            long seedStart = System.nanoTime();
            String sample = reuse ? "2.25." + (studies / 2) : seed(url, password, studies);
            if (!reuse) System.out.printf("seeded %d studies (%d instances, %d jobs) over 7 days in %.0f s%n", studies, 2L * studies, 6L * studies,
                    (System.nanoTime() - seedStart) / 1e9);
            ModelInfo model = new ModelInfo("bench", "1", false, false, "cpu", "balanced",
                    List.of(new ModelInfo.OperatingPoint("balanced", 0.5, null, null)),
                    List.of(new ModelInfo.PriorityBand(0, 0.5, "ROUTINE"), new ModelInfo.PriorityBand(0.5, 0.8, "HIGH"),
                            new ModelInfo.PriorityBand(0.8, 1, "URGENT")), "id: bench\n");
            try (WebServer web = new WebServer(new WebSettings("127.0.0.1", 0, Access.open(), false, "BENCH", 0),
                    new WebServer.Sources(database, new Readiness(database, Path.of("."), 0, () -> true), model)).start()) {
                HttpClient http = HttpClient.newHttpClient();
                System.out.printf("%n| endpoint | p50 ms | p95 ms | max ms | bytes |%n|---|---|---|---|---|%n");
                for (String path : List.of("/api/overview", "/api/throughput", "/api/worklist", "/api/worklist?category=ABNORMAL",
                        "/api/worklist?status=DELIVERY_FAILED", "/api/studies/" + sample, "/api/studies/" + sample + "/thumbnail.png",
                        "/api/failures", "/api/model", "/metrics")) {
                    time(http, web.port(), path);
                }
            }
        }
        return 0;
    }

    private void time(HttpClient http, int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
        long bytes = 0;
        for (int i = 0; i < 3; i++) http.send(request, HttpResponse.BodyHandlers.ofByteArray()); // warm-up
        double[] ms = new double[requests];
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() != 200) throw new IllegalStateException(path + ": HTTP " + response.statusCode());
            bytes = response.body().length;
        }
        Arrays.sort(ms);
        System.out.printf("| `%s` | %.1f | %.1f | %.1f | %d |%n", path.replaceAll("2\\.25\\.[0-9]+", "{uid}"), ms[requests / 2],
                ms[(int) Math.ceil(requests * 0.95) - 1], ms[requests - 1], bytes);
    }

    /** The rows the stages would have left; returns a study UID to open. */
    private static String seed(String url, String password, int n) throws Exception {
        // Its own connection: the pool's 30 s socket timeout is right for the router, not for bulk inserts.
        try (Connection c = java.sql.DriverManager.getConnection(url, "triage", password);
             Statement s = c.createStatement()) {
            s.execute("set synchronous_commit = off"); // seeding needs no durability
            timed(s, "insert into study (study_instance_uid, patient_name, patient_id, first_received_at, last_received_at, instance_count, "
                    + "reported_instance_count) select '2.25.' || g, 'BENCH^' || g, 'P' || g, now() - (g % 10080) * interval '1 minute' "
                    + "- (g % 60) * interval '1 second', now() - (g % 10080) * interval '1 minute', 2, 2 from generate_series(1, " + n + ") g");
            timed(s, "insert into series (study_id, series_instance_uid, modality) select id, study_instance_uid || '.1', 'DX' from study");
            timed(s, "insert into instance (study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, view_position, rows, columns, "
                    + "node, file_path, file_size, calling_ae_title, association_id, priority, received_at) select s.id, x.id, "
                    + "s.study_instance_uid || '.1.' || k, '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1', 'PA', 2500, 2048, 'bench', '/x', "
                    + "10240000, 'MOD', 'a' || s.id, 'MEDIUM', s.first_received_at from study s join series x on x.study_id = s.id "
                    + "cross join generate_series(1, 2) k");
            // A tiny flat PNG for the history (gigabytes of real ones would only slow the seeding), a full-size one
            // for the study whose page and thumbnail are timed.
            try (PreparedStatement png = c.prepareStatement("insert into canonical_image (instance_id, png, width, height, source_width, "
                    + "source_height, window_source, render_ms) select id, ?, 64, 78, 2048, 2500, 'bench', 50 from instance")) {
                png.setBytes(1, png(64, 78, false));
                png.executeUpdate();
            }
            try (PreparedStatement png = c.prepareStatement("update canonical_image set png = ?, width = 1024, height = 1250 where instance_id in "
                    + "(select i.id from instance i join study s on s.id = i.study_id where s.study_instance_uid = ?)")) {
                png.setBytes(1, png(1024, 1250, true));
                png.setString(2, "2.25." + (n / 2));
                png.executeUpdate();
            }
            timed(s, "insert into eligibility (instance_id, eligible, rule) select id, true, 'frontal-chest-radiograph' from instance");
            timed(s, "insert into score (instance_id, model_id, model_version, demo_model, score, priority, operating_points, label_scores, "
                    + "provider, batch_size, tensor_ms, run_ms, node) select id, 'bench', '1', false, (hashtext(sop_instance_uid) & 1023) / 1023.0, "
                    + "'ROUTINE', '', '', 'cpu', 8, 3, 40, 'bench' from instance");
            timed(s, "analyze"); // fresh tables: without statistics the next join scans every instance per study
            timed(s, "insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, image_count, "
                    + "created_at) select s.id, 'bench', '1', 1, 'REPORTED', case when m >= 0.5 then 'ABNORMAL' else 'NORMAL' end, m, "
                    + "case when m >= 0.8 then 'URGENT' when m >= 0.5 then 'HIGH' else 'ROUTINE' end, 2, s.last_received_at + interval '2 seconds' "
                    + "from study s join lateral (select max(sc.score) m from instance i join score sc on sc.instance_id = i.id "
                    + "where i.study_id = s.id) x on true");
            timed(s, "insert into delivery (study_result_id, destination, state, attempts, delivered_at, last_status) select r.id, 'pacs', "
                    + "case when r.study_id % 100 = 0 then 'failed' else 'delivered' end, 1, "
                    + "case when r.study_id % 100 = 0 then null else r.created_at + interval '1 second' end, '0x0000' from study_result r");
            for (String kind : List.of("prepare", "infer")) {
                timed(s, "insert into job (kind, subject, state, attempts, created_at, finished_at, updated_at) select '" + kind
                        + "', sop_instance_uid, 'done', 1, received_at, received_at + interval '1 second', received_at from instance");
            }
            timed(s, "insert into job (kind, subject, state, attempts, created_at, finished_at, updated_at) "
                    + "select 'report', study_instance_uid, 'done', 1, last_received_at, last_received_at + interval '2 seconds', now() from study");
            timed(s, "insert into job (kind, subject, state, attempts, created_at, finished_at, updated_at, last_error) "
                    + "select 'dispatch', d.id::text, case when d.state = 'failed' then 'failed' else 'done' end, 1, r.created_at, "
                    + "r.created_at + interval '1 second', now(), case when d.state = 'failed' then 'cannot connect to PACS' end "
                    + "from delivery d join study_result r on r.id = d.study_result_id");
            timed(s, "analyze");
        }
        return "2.25." + (n / 2);
    }

    /** Runs one seeding statement and says how long it took, so a slow seed shows where. */
    private static void timed(Statement s, String sql) throws java.sql.SQLException {
        long start = System.nanoTime();
        s.execute(sql);
        System.err.printf("  seed %.1f s: %s%n", (System.nanoTime() - start) / 1e9, sql.substring(0, Math.min(60, sql.length())));
    }

    private static byte[] png(int width, int height, boolean textured) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Random random = new java.util.Random(1);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) image.getRaster().setSample(x, y, 0, textured ? (x * y / 64 + random.nextInt(16)) & 0xff : 128);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
