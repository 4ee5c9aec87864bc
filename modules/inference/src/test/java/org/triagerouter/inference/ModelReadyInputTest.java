package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.pixels.ModelGeometry;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.prepare.EligibilityRules;
import org.triagerouter.prepare.PrepareSettings;
import org.triagerouter.prepare.PrepareStage;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.testing.PostgresExtension;
import org.triagerouter.store.testing.StageRun;

/**
 * Model-ready inputs end to end: received DICOM files go through the real prepare stage, which stores each configured
 * model's input beside the canonical image; the infer stage scores from those bytes, and a model of another geometry
 * derives its inputs from the canonical image.
 */
class ModelReadyInputTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    @TempDir
    static Path modelDir;
    static Path demoManifest;
    /** The demo model's graph under another geometry: its height and width are free, so any geometry opens. */
    static Path otherManifest;
    @TempDir
    Path work;

    Database database;
    LeaseKeeper leases;

    @BeforeAll
    static void models() throws Exception {
        demoManifest = DemoModel.write(modelDir);
        String other = Files.readString(demoManifest).replace("id: triage-demo", "id: triage-demo-letterbox")
                .replace("height: 224", "height: 96").replace("width: 224", "width: 128").replace("resize: stretch", "resize: letterbox");
        otherManifest = Files.writeString(modelDir.resolve("other.yaml"), other);
    }

    @BeforeEach
    void setUp() {
        database = postgres.database();
        leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
    }

    @AfterEach
    void tearDown() { leases.close(); }

    @Test
    void prepareStoresEachModelsInputAtItsGeometryEqualToTheOldDecodeAndResizeOfTheCanonicalImage() throws Exception {
        List<ModelManifest> models = List.of(ModelManifest.load(demoManifest), ModelManifest.load(otherManifest),
                manifest(150, 200, "center-crop"), manifest(300, 256, "stretch"));   // the last one enlarges
        ingestAndPrepare(4, models.stream().map(ModelManifest::geometry).toList());

        assertEquals(4 * models.size(), count("select count(*) from model_input"));
        for (ModelManifest model : models) {
            // The old infer path: decode the canonical PNG, resize in floats (0..255, no normalisation).
            LegacyTensorBuilder legacy = new LegacyTensorBuilder(withRange0To255(model));
            ModelGeometry geometry = model.geometry();
            Map<Long, byte[]> pngs = bytes("select instance_id, png from canonical_image");
            try (Connection c = database.connection();
                 PreparedStatement s = c.prepareStatement("select instance_id, width, height, pixels from model_input where geometry = ?")) {
                s.setString(1, geometry.key());
                int rows = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        assertEquals(geometry.width(), rs.getInt(2));
                        assertEquals(geometry.height(), rs.getInt(3));
                        byte[] stored = rs.getBytes(4);
                        float[] old = legacy.build(GrayImage.decodePng(pngs.get(rs.getLong(1))));
                        byte[] expected = new byte[old.length];
                        for (int i = 0; i < old.length; i++) expected[i] = (byte) Math.clamp(Math.round(old[i]), 0, 255);
                        // Exactly equal: the same arithmetic, rounded once to 8 bits (the old path fed the model those floats unrounded).
                        assertArrayEquals(expected, stored, geometry.key() + " of instance " + rs.getLong(1));
                    }
                }
                assertEquals(4, rows, geometry.key());
            }
        }
    }

    @Test
    void inferScoresFromTheStoredInputAndNeverReadsTheCanonicalPng() throws Exception {
        ModelManifest demo = ModelManifest.load(demoManifest);
        ingestAndPrepare(5, List.of(demo.geometry()));
        // The stored inputs made white and the canonical PNGs unreadable: only the stored input can give these scores.
        exec("update model_input set pixels = decode(repeat('ff', width * height), 'hex')");
        exec("update canonical_image set png = '\\x00'::bytea");
        try (OnnxModel model = OnnxModel.open(demo, ExecutionProvider.CPU, 1)) {
            runInfer(model, 5);
        }
        assertEquals(0, count("select count(*) from job where kind = 'infer' and state <> 'done'"));
        // The demo model scores sigmoid(10 × (mean − 0.5)): white gives sigmoid(5).
        assertEquals(5, count("select count(*) from score where abs(score - " + sigmoid(5) + ") < 1e-5"));
    }

    @Test
    void aModelOfAnotherGeometryDerivesItsInputsFromTheCanonicalImage() throws Exception {
        ModelManifest demo = ModelManifest.load(demoManifest), other = ModelManifest.load(otherManifest);
        ingestAndPrepare(3, List.of(demo.geometry()));   // prepared for the demo model only
        Map<Long, byte[]> pngs = bytes("select instance_id, png from canonical_image");
        try (OnnxModel model = OnnxModel.open(other, ExecutionProvider.CPU, 1)) {
            runInfer(model, 3);
            TensorBuilder tensors = new TensorBuilder(other);
            for (Map.Entry<Long, byte[]> png : pngs.entrySet()) {
                double expected = sigmoid(model.run(tensors.build(GrayImage.decodePng(png.getValue())), 1)[0][0]);
                double scored = number("select score from score where model_id = 'triage-demo-letterbox' and instance_id = " + png.getKey());
                assertEquals(expected, scored, 1e-6, "instance " + png.getKey());
            }
        }
        assertEquals(3, count("select count(*) from score where model_id = 'triage-demo-letterbox'"));
        assertEquals(3, count("select count(*) from model_input"), "the demo model's inputs only: a derived input is not written back");
        assertEquals(0, count("select count(*) from model_input where geometry = '" + other.geometry().key() + "'"));
    }

    /** n synthetic chest radiographs received by the ingest stage, then the real prepare stage with these model geometries. */
    private void ingestAndPrepare(int n, List<ModelGeometry> geometries) throws Exception {
        try (InboundAssociation modality = new InboundAssociation(database, new IngestSettings(work.resolve("spool"), 0, "node-a"), "MOD")) {
            for (int i = 0; i < n; i++) {
                Path file = work.resolve("image-" + i + ".dcm");
                SyntheticChestImages.write(SyntheticChestImages.Spec.chest("DX", "PA", i % 2 == 1, 700, 560, 40 + i), file);
                modality.store(file);
            }
        }
        PrepareStage prepare = new PrepareStage(database, new PrepareSettings(EligibilityRules.defaults(), 256, "node-a", 1, geometries));
        assertEquals(n, StageRun.untilIdle(database, JobKind.PREPARE, "node-a", prepare));
        assertEquals(n, count("select count(*) from canonical_image"));
    }

    private void runInfer(OnnxModel model, int n) throws Exception {
        try (InferWorker worker = new InferWorker(database, leases, model, new InferSettings(8, Duration.ofMillis(50), Duration.ofMillis(50), "node-a"),
                "infer-1").start()) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (count("select count(*) from job where kind = 'infer' and state in ('done', 'failed')") < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        }
        assertEquals("", string("select coalesce(string_agg(last_error, '; '), '') from job where kind = 'infer' and state = 'failed'"));
    }

    private static ModelManifest manifest(int height, int width, String resize) throws Exception {
        return TensorBuilderTest.manifest(1, height, width, resize, "{type: range, min: 0, max: 1}");
    }

    /** The same model, normalised to 0..255: the old path's floats are then the resized gray levels themselves. */
    private static ModelManifest withRange0To255(ModelManifest m) {
        return new ModelManifest(m.source(), m.id(), m.version(), m.modelFile(), m.input(), m.resize(), new ModelManifest.Range(0, 255),
                m.output(), m.score(), m.operatingPoints(), m.priorityBands(), m.clinicalUse(), m.demo());
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    private Map<Long, byte[]> bytes(String sql) throws Exception {
        Map<Long, byte[]> rows = new HashMap<>();
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) rows.put(rs.getLong(1), rs.getBytes(2));
        }
        return rows;
    }

    private void exec(String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.executeUpdate();
        }
    }

    private long count(String sql) throws Exception { return (long) number(sql); }

    private double number(String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next(), sql);
            return rs.getDouble(1);
        }
    }

    private String string(String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
