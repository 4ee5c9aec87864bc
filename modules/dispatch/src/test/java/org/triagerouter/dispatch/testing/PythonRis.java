package org.triagerouter.dispatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A RIS the project did not write: python-hl7's MLLP server (Debian's python3-hl7) running
 * src/test/resources/hl7/ris_listener.py. What it received, parsed by python-hl7, is read back from its
 * JSON lines; how it answers is set at start and changed through its control file.
 */
public final class PythonRis implements AutoCloseable {
    /** Debian's interpreter, where python3-hl7 is installed (a pyenv or venv python3 on the PATH may lack it). */
    public static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final int port;
    private final Path received;
    private final Path control;
    private final Process process;

    /** One received message as python-hl7 parsed it. */
    public record Received(String type, String controlId, String ack, List<String> segments, JsonNode fields) {
        /** A field ("ORC[1]-3") or component ("OBX[2]-5.1") by python-hl7's reading; "" when absent. */
        public String get(String key) {
            JsonNode v = fields.get(key);
            return v == null ? "" : v.asText();
        }

        /** The occurrence (1-based) of the OBX whose OBX-3 identifier is {@code code}, or -1. */
        public int observation(String code) {
            for (int n = 1; n <= segments.size(); n++) if (get("OBX[" + n + "]-3.1").equals(code)) return n;
            return -1;
        }

        public String obx(String code, int field) {
            return get("OBX[" + observation(code) + "]-" + field);
        }
    }

    private PythonRis(int port, Path received, Path control, Process process) {
        this.port = port;
        this.received = received;
        this.control = control;
        this.process = process;
    }

    /** Starts the listener on {@code port} answering {@code ack} (AA, AE, AR, ..., none) with {@code text}; tls: {cert, key} or null. */
    public static PythonRis start(Path work, int port, String ack, String text, Path[] tls) throws IOException, InterruptedException {
        Path script = work.resolve("ris_listener.py");
        try (InputStream in = PythonRis.class.getResourceAsStream("/hl7/ris_listener.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path received = work.resolve("ris-" + port + ".jsonl");
        Path control = work.resolve("ris-" + port + ".control");
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), "--port", String.valueOf(port), "--out", received.toString(),
                "--ack", ack, "--text", text, "--control", control.toString()));
        if (tls != null) command.addAll(List.of("--cert", tls[0].toString(), "--key", tls[1].toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("ris-" + port + ".log").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) throw new IOException("the python-hl7 listener stopped: " + Files.readString(work.resolve("ris-" + port + ".log")));
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new PythonRis(port, received, control, process);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IOException("the python-hl7 listener did not start on port " + port);
    }

    public static PythonRis start(Path work, int port, String ack) throws IOException, InterruptedException {
        return start(work, port, ack, "", null);
    }

    /** From now on answer as the lines say ("[MESSAGE] CODE [text]"); no lines: the start-up answer again. */
    public void answer(String... lines) throws IOException {
        if (lines.length == 0) Files.deleteIfExists(control);
        else Files.writeString(control, String.join("\n", lines) + "\n");
    }

    public List<Received> received() throws IOException {
        List<Received> list = new ArrayList<>();
        if (!Files.exists(received)) return list;
        for (String line : Files.readAllLines(received)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            List<String> segments = new ArrayList<>();
            n.get("segments").forEach(s -> segments.add(s.asText()));
            list.add(new Received(n.get("type").asText(), n.get("controlId").asText(), n.get("ack").asText(), segments, n.get("fields")));
        }
        return list;
    }

    public List<Received> received(String messageCode) throws IOException {
        return received().stream().filter(r -> r.type().startsWith(messageCode + "^")).toList();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
}
