package org.triagerouter.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.store.Database;
import org.triagerouter.store.FailedWork;
import org.triagerouter.store.GroundTruth;

/**
 * The router's HTTP port: health probes (open to all), then, behind the configured credentials, the
 * dashboard pages, the JSON API they poll (described in {@code docs/openapi.yaml}) and Prometheus {@code /metrics}.
 * Reads come from the database, so any node shows the whole cluster; actions (retry) need the admin role.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final String ROLE = "triage.role";
    /** Actions must carry this header: a cross-site form cannot set it, so a browser's saved credentials cannot be abused. */
    static final String ACTION_HEADER = "X-Triage-Action";
    private static final java.util.Set<String> HEALTH = java.util.Set.of("/health", "/health/live", "/health/ready");
    private static final java.util.regex.Pattern LOOPBACK_HOST =
            java.util.regex.Pattern.compile("(?i)(localhost|127(\\.\\d{1,3}){3}|\\[::1])(:\\d+)?");

    /** API requests served at once (each holds a pooled connection while it runs). */
    static final int DATABASE_SLOTS = 4;
    private static final String SLOT = "triage.slot";
    private final java.util.concurrent.Semaphore databaseSlots = new java.util.concurrent.Semaphore(DATABASE_SLOTS);
    private final Javalin app;
    private final WebSettings settings;
    private final PipelineMetrics metrics;

    /** Everything the pages and API read, and what readiness depends on. */
    public record Sources(Database database, Readiness readiness, ModelInfo model, OverviewQuery.Thresholds thresholds) {
        public Sources(Database database, Readiness readiness, ModelInfo model) {
            this(database, readiness, model, OverviewQuery.Thresholds.DEFAULTS);
        }
    }

    public WebServer(WebSettings settings, Sources sources) {
        if (!settings.isLoopback() && settings.access().isOpen()) {
            throw new IllegalArgumentException("http.bind " + settings.bind() + " is reachable from the network: configure http.users or "
                    + "http.tokens (or bind to 127.0.0.1)");
        }
        this.settings = settings;
        Database db = sources.database();
        OverviewQuery overview = new OverviewQuery(db, sources.thresholds());
        WorklistQuery worklist = new WorklistQuery(db, settings.showPhi());
        StudyQuery study = new StudyQuery(db, settings.showPhi());
        FailuresQuery failures = new FailuresQuery(db);
        FailedWork failedWork = new FailedWork(db);
        ModelQuery model = new ModelQuery(db, sources.model());
        Thumbnails thumbnails = new Thumbnails(db);
        GroundTruth groundTruth = new GroundTruth(db);
        this.metrics = new PipelineMetrics(overview);
        ObjectMapper json = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.jsonMapper(new JavalinJackson(json, false));
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/web";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
        });
        app.before(this::secure);
        // The pages share the pipeline's connection pool: a bounded number of API requests at a time keeps a room
        // full of open dashboards (200 thumbnails per worklist load) from starving ingest's commits.
        app.before("/api/*", ctx -> {
            if (!databaseSlots.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new io.javalin.http.ServiceUnavailableResponse("the dashboard is busy; try again");
            }
            ctx.attribute(SLOT, Boolean.TRUE);
        });
        app.after("/api/*", ctx -> {
            if (ctx.attribute(SLOT) != null) databaseSlots.release();
        });
        String identity = settings.aeTitle();
        app.get("/health", ctx -> ctx.json(Map.of("status", "ok", "aeTitle", identity, "dicomPort", settings.dicomPort())));
        app.get("/health/live", ctx -> ctx.json(Map.of("status", "live", "aeTitle", identity, "dicomPort", settings.dicomPort())));
        app.get("/health/ready", ctx -> {
            List<String> problems = sources.readiness().problems();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", problems.isEmpty() ? "ready" : "not ready");
            if (!problems.isEmpty()) body.put("problems", problems);
            body.put("aeTitle", identity);
            body.put("dicomPort", settings.dicomPort());
            ctx.status(problems.isEmpty() ? 200 : 503).json(body);
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.get("/api/me", ctx -> ctx.json(Map.of("role", role(ctx).name().toLowerCase(), "showPhi", settings.showPhi())));
        app.get("/api/overview", ctx -> ctx.json(overview.overview()));
        app.get("/api/throughput", ctx -> ctx.json(overview.lastHour()));
        app.get("/api/worklist", ctx -> ctx.json(worklist.entries(new WorklistQuery.Filter(blankToNull(ctx.queryParam("category")),
                blankToNull(ctx.queryParam("status")), intParam(ctx, "days", 7), intParam(ctx, "limit", 200)))));
        app.get("/api/studies/{uid}", ctx -> ctx.json(study.study(ctx.pathParam("uid"))
                .orElseThrow(() -> new NotFoundResponse("no study " + ctx.pathParam("uid")))));
        app.get("/api/studies/{uid}/thumbnail.png", ctx -> {
            byte[] png = thumbnailOf(thumbnails, ctx.pathParam("uid"))
                    .orElseThrow(() -> new NotFoundResponse("no canonical image for study " + ctx.pathParam("uid")));
            ctx.header("Cache-Control", "private, max-age=300").contentType("image/png").result(png);
        });
        app.get("/api/failures", ctx -> ctx.json(failures.failures()));
        app.get("/api/model", ctx -> ctx.json(model.page()));
        app.post("/api/jobs/{id}/retry", ctx -> {
            requireAdmin(ctx);
            long id = longPath(ctx, "id");
            if (!failedWork.retryJob(id)) throw new io.javalin.http.ConflictResponse("job " + id + " is not failed (or was retried already)");
            log.info("job {} retried from the dashboard", id);
            ctx.json(Map.of("retried", 1));
        });
        app.post("/api/deliveries/{id}/retry", ctx -> {
            requireAdmin(ctx);
            long id = longPath(ctx, "id");
            if (failedWork.retryDeliveries(id) != 1) throw new io.javalin.http.ConflictResponse("delivery " + id + " is not failed (or was retried already)");
            log.info("delivery {} retried from the dashboard", id);
            ctx.json(Map.of("retried", 1));
        });
        app.post("/api/deliveries/retry-failed", ctx -> {
            requireAdmin(ctx);
            int retried = failedWork.retryDeliveries();
            log.info("{} failed deliveries retried from the dashboard", retried);
            ctx.json(Map.of("retried", retried));
        });
        app.post("/api/ground-truth", ctx -> {
            requireAdmin(ctx);
            GroundTruth.FinalRead read;
            try {
                read = json.readValue(ctx.body(), GroundTruth.FinalRead.class);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalArgumentException("body must be JSON {studyInstanceUid or accessionNumber, label, reader}: "
                        + e.getOriginalMessage());
            }
            try {
                ctx.json(groundTruth.record(read, "api"));
            } catch (GroundTruth.UnknownStudyException e) {
                ctx.status(e.ambiguous ? 409 : 404).json(Map.of("error", e.getMessage()));
            }
        });
        app.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", e.getMessage())));
        app.exception(java.sql.SQLException.class, (e, ctx) -> {
            log.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            // An unreachable database is an outage (503, try again); anything else is ours (500), without SQL details.
            boolean unreachable = e instanceof java.sql.SQLTransientConnectionException || String.valueOf(e.getSQLState()).startsWith("08");
            ctx.status(unreachable ? 503 : 500).json(Map.of("error", unreachable ? "database unavailable" : "internal error (logged)"));
        });
    }

    /** Health stays open (orchestrators probe without secrets); everything else needs a credential when any is configured. */
    private void secure(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
        if (HEALTH.contains(ctx.path())) return;
        if (settings.access().isOpen() && !LOOPBACK_HOST.matcher(String.valueOf(ctx.header("Host"))).matches()) {
            // Open (loopback, no credentials) mode trusts whoever reaches the port; a page that rebinds its own
            // domain to 127.0.0.1 would reach it too, but its requests name that domain as the Host.
            throw new ForbiddenResponse("Host " + ctx.header("Host") + " is not this machine's loopback name");
        }
        Optional<Access.Role> role = settings.access().authenticate(ctx.header("Authorization"));
        if (role.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"Triage Router\", charset=\"UTF-8\"");
            throw new UnauthorizedResponse("credentials required");
        }
        ctx.attribute(ROLE, role.get());
    }

    private static Access.Role role(Context ctx) { return ctx.attribute(ROLE); }

    private static void requireAdmin(Context ctx) {
        if (role(ctx) != Access.Role.ADMIN) throw new ForbiddenResponse("the admin role is needed to retry");
        if (ctx.header(ACTION_HEADER) == null) throw new ForbiddenResponse("actions need the " + ACTION_HEADER + " header");
    }

    private static Optional<byte[]> thumbnailOf(Thumbnails thumbnails, String uid) throws java.sql.SQLException {
        try {
            return thumbnails.forStudy(uid);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    private static int intParam(Context ctx, String name, int fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) return fallback;
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    private static long longPath(Context ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + ctx.pathParam(name) + "'");
        }
    }

    public WebServer start() {
        try {
            app.start(settings.bind(), settings.port());
        } catch (RuntimeException e) {
            metrics.close();
            throw new IllegalStateException("cannot listen for HTTP on " + settings.bind() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        return this;
    }

    public int port() { return app.port(); }

    /** The routes, for the test that keeps docs/openapi.yaml honest. */
    List<String> routes() {
        return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream().filter(h -> h.getEndpoint().getMethod().isHttpMethod())
                .map(h -> h.getEndpoint().getMethod().name() + " " + h.getEndpoint().getPath()).toList();
    }

    @Override
    public void close() {
        app.stop();
        metrics.close();
    }
}
