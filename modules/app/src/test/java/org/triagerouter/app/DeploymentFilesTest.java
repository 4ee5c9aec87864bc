package org.triagerouter.app;

import org.triagerouter.app.config.ConfigKey;
import org.triagerouter.app.config.RouterConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What can be checked of the deployment files without a Docker engine or systemd: the compose file sets only
 * documented variables and runs the image, the Dockerfile copies files that exist and that its context holds, and
 * the packaged configuration and systemd unit parse and agree with each other.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("../..");
    private static final Path PACKAGED_CONFIG = ROOT.resolve("packaging/triage-router.yaml");
    private static final Path UNIT = ROOT.resolve("packaging/triage-router.service");
    /** Where the package and the image install the configuration (ExecStart and ENTRYPOINT read it there). */
    private static final String INSTALLED_CONFIG = "/etc/triage-router/triage-router.yaml";
    /** TRIAGE_* variables that are not configuration keys; each is documented in the README. */
    private static final Set<String> NON_CONFIG_VARIABLES = Set.of("TRIAGE_CONFIG", "TRIAGE_LOG_LEVEL", "TRIAGE_JAVA_OPTS");
    private static final Pattern VARIABLE = Pattern.compile("\\bTRIAGE_[A-Z0-9_]+");

    @Test
    void composeSetsOnlyDocumentedVariables() throws IOException {
        Map<String, Object> services = map(yaml(ROOT.resolve("docker-compose.yml")).get("services"));
        Set<String> variables = new LinkedHashSet<>();
        for (Object service : services.values()) {
            Object environment = map(service).get("environment");
            if (environment instanceof Map<?, ?> m) m.keySet().forEach(k -> variables.add(String.valueOf(k)));
            else if (environment instanceof List<?> l) l.forEach(e -> variables.add(String.valueOf(e).split("=", 2)[0]));
        }
        variables.removeIf(v -> !v.startsWith("TRIAGE_"));
        assertTrue(variables.contains("TRIAGE_DATABASE_URL"), "the router's environment was not found in docker-compose.yml: " + variables);
        for (String variable : variables) assertDocumented(variable, "docker-compose.yml");
    }

    @Test
    void everyOtherDeploymentFileNamesOnlyDocumentedVariables() throws IOException {
        for (String file : List.of("Dockerfile", "packaging/triage-router.default", "packaging/triage-router.service", "packaging/triage-router")) {
            Matcher m = VARIABLE.matcher(Files.readString(ROOT.resolve(file)));
            while (m.find()) assertDocumented(m.group(), file);
        }
    }

    @Test
    void composeRunsTheImageInsteadOfBuildingAtStart() throws Exception {
        Map<String, Object> router = map(map(yaml(ROOT.resolve("docker-compose.yml")).get("services")).get("router"));
        assertEquals(".", router.get("build"), "the router service builds the Dockerfile at the root");
        String command = String.valueOf(router.get("command"));
        assertFalse(command.contains("apt-get") || command.contains("mvn"), "the router service builds at start: " + command);
        assertTrue(seconds(String.valueOf(router.get("stop_grace_period"))) > shutdownGraceSeconds(),
                "stop_grace_period must exceed the shutdown grace of " + shutdownGraceSeconds() + " s");
        String spool = RouterConfig.load(PACKAGED_CONFIG, Map.of()).spoolDirectory().toString();
        assertTrue(((List<?>) router.get("volumes")).stream().anyMatch(v -> String.valueOf(v).endsWith(":" + spool)),
                "the spool volume is mounted at the image's spool " + spool);
    }

    @Test
    void dockerfileCopiesOnlyFilesThatExistInItsContext() throws IOException {
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        Set<String> stages = new LinkedHashSet<>();
        int copies = 0;
        for (String[] instruction : dockerfile()) {
            if (instruction[0].equals("FROM")) {
                String[] words = instruction[1].split("\\s+");
                if (words.length == 3 && words[1].equalsIgnoreCase("AS")) stages.add(words[2]);
            }
            if (!instruction[0].equals("COPY")) continue;
            List<String> words = new ArrayList<>(Arrays.asList(instruction[1].split("\\s+")));
            String from = null;
            while (words.get(0).startsWith("--")) {
                String flag = words.remove(0);
                if (flag.startsWith("--from=")) from = flag.substring("--from=".length());
            }
            List<String> sources = words.subList(0, words.size() - 1);
            if (from != null) {
                assertTrue(stages.contains(from), "COPY --from=" + from + ": no earlier stage of that name");
                continue;
            }
            for (String source : sources) {
                copies++;
                Path path = ROOT.resolve(source);
                assertTrue(Files.exists(path), "the Dockerfile copies " + source + ", which does not exist");
                assertFalse(dockerIgnored(source, ignore), "the Dockerfile copies " + source + ", which .dockerignore leaves out");
                if (Files.isDirectory(path)) {
                    // What the build needs of a copied folder: every pom.xml and every file under src/main.
                    try (Stream<Path> files = Files.walk(path)) {
                        for (Path file : files.filter(Files::isRegularFile).toList()) {
                            String relative = ROOT.relativize(file).toString().replace('\\', '/');
                            boolean needed = relative.endsWith("/pom.xml") || relative.contains("/src/main/");
                            if (needed && !relative.contains("/target/")) {
                                assertFalse(dockerIgnored(relative, ignore), ".dockerignore leaves out " + relative + ", which the build needs");
                            }
                        }
                    }
                }
            }
        }
        assertTrue(copies >= 5, "expected the Dockerfile's COPY instructions, found " + copies);
        assertTrue(dockerIgnored("modules/app/target/triage-router.jar", ignore), "build output stays out of the context");
        assertTrue(dockerIgnored(".git/HEAD", ignore), "the repository's history stays out of the context");
    }

    @Test
    void imageRunsAsItsOwnUserWithHealthcheckVolumeAndPorts() throws Exception {
        Map<String, List<String>> by = new LinkedHashMap<>();
        List<String[]> instructions = dockerfile();
        int runtimeStage = 0;
        for (int i = 0; i < instructions.size(); i++) if (instructions.get(i)[0].equals("FROM")) runtimeStage = i;
        for (String[] instruction : instructions.subList(runtimeStage, instructions.size())) {
            by.computeIfAbsent(instruction[0], k -> new ArrayList<>()).add(instruction[1]);
        }
        assertEquals(List.of("triage"), by.get("USER"), "the runtime stage runs as triage");
        assertTrue(by.get("HEALTHCHECK").get(0).contains("/health/ready"), "HEALTHCHECK probes /health/ready");
        RouterConfig packaged = RouterConfig.load(PACKAGED_CONFIG, Map.of());
        assertTrue(by.get("VOLUME").get(0).contains(packaged.spoolDirectory().toString()), "the spool is a volume");
        Set<String> exposed = Set.of(by.get("EXPOSE").get(0).split("\\s+"));
        assertTrue(exposed.contains(ConfigKey.DICOM_PORT.defaultValue) && exposed.contains(ConfigKey.HTTP_PORT.defaultValue),
                "EXPOSE the default DICOM and HTTP ports: " + exposed);
        assertEquals(List.of("SIGTERM"), by.get("STOPSIGNAL"));
        String entrypoint = by.get("ENTRYPOINT").get(0);
        assertTrue(entrypoint.contains("\"serve\"") && entrypoint.contains(INSTALLED_CONFIG), "ENTRYPOINT serves the installed configuration: " + entrypoint);
        assertTrue(by.get("COPY").stream().anyMatch(c -> c.equals("packaging/triage-router.yaml " + INSTALLED_CONFIG)),
                "the image installs the packaged configuration at " + INSTALLED_CONFIG);
    }

    @Test
    void packagedConfigurationHoldsTheDefaultsWithTheServicePaths() throws Exception {
        RouterConfig packaged = RouterConfig.load(PACKAGED_CONFIG, Map.of()); // an unknown key would throw, naming it
        RouterConfig builtIn = RouterConfig.load(null, Map.of());
        String text = Files.readString(PACKAGED_CONFIG);
        for (ConfigKey key : ConfigKey.values()) {
            assertTrue(text.contains(key.environmentVariable), key.environmentVariable + " not named in packaging/triage-router.yaml");
            if (key == ConfigKey.SPOOL_DIR || key == ConfigKey.DEMO_MODEL_DIR) continue;
            assertEquals(builtIn.string(key), packaged.string(key), key.path + " differs from its default");
        }
        String writable = unit().get("Service").get("ReadWritePaths").get(0);
        for (ConfigKey key : List.of(ConfigKey.SPOOL_DIR, ConfigKey.DEMO_MODEL_DIR)) {
            Path path = Path.of(packaged.string(key));
            assertTrue(path.isAbsolute() && path.startsWith(writable), key.path + " = " + path + " must lie under ReadWritePaths=" + writable);
        }
    }

    @Test
    void systemdUnitParsesAndRunsTheRouterAsItsService() throws IOException {
        Map<String, Map<String, List<String>>> unit = unit();
        assertEquals(Set.of("Unit", "Service", "Install"), unit.keySet());
        Map<String, List<String>> service = unit.get("Service");
        assertEquals("/usr/bin/triage-router serve --config " + INSTALLED_CONFIG, one(service, "ExecStart"));
        assertEquals("triage", one(service, "User"));
        assertEquals("on-failure", one(service, "Restart"));
        assertEquals("strict", one(service, "ProtectSystem"));
        assertEquals("yes", one(service, "NoNewPrivileges"));
        assertEquals("/var/lib/triage-router", one(service, "WorkingDirectory"));
        assertEquals("-/etc/default/triage-router", one(service, "EnvironmentFile"));
        assertTrue(Integer.parseInt(one(service, "LimitNOFILE")) >= 65536);
        assertTrue(Integer.parseInt(one(service, "TimeoutStopSec")) > shutdownGraceSeconds(), "TimeoutStopSec must exceed the shutdown grace");
        assertEquals("multi-user.target", one(unit.get("Install"), "WantedBy"));
        List<String> conffiles = Files.readAllLines(ROOT.resolve("packaging/deb/control/conffiles"));
        assertTrue(conffiles.contains(INSTALLED_CONFIG) && conffiles.contains("/etc/default/triage-router"), "conffiles: " + conffiles);
    }

    private static void assertDocumented(String variable, String where) throws IOException {
        boolean configKey = Arrays.stream(ConfigKey.values()).anyMatch(k -> k.environmentVariable.equals(variable));
        if (configKey) return;
        assertTrue(NON_CONFIG_VARIABLES.contains(variable), where + " sets " + variable + ", which is no configuration key");
        assertTrue(Pattern.compile("\\b" + variable + "\\b").matcher(Files.readString(ROOT.resolve("README.md"))).find(),
                variable + " is not documented in README.md");
    }

    /** Docker's rule: the last pattern matching the path or one of its parent folders decides; "!" allows back. */
    static boolean dockerIgnored(String path, List<String> patterns) {
        boolean ignored = false;
        Path relative = Path.of(path);
        for (String raw : patterns) {
            boolean allow = raw.startsWith("!");
            String pattern = (allow ? raw.substring(1) : raw).replaceAll("^/+|/+$", "");
            List<PathMatcher> matchers = new ArrayList<>(List.of(FileSystems.getDefault().getPathMatcher("glob:" + pattern)));
            if (pattern.startsWith("**/")) matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
            for (int i = 1; i <= relative.getNameCount(); i++) {
                Path prefix = relative.subpath(0, i);
                if (matchers.stream().anyMatch(m -> m.matches(prefix))) {
                    ignored = !allow;
                    break;
                }
            }
        }
        return ignored;
    }

    @Test
    void dockerIgnoreRuleFollowsDocker() {
        List<String> patterns = List.of("*", "!modules", "!scripts/lib.sh", "**/target");
        assertTrue(dockerIgnored("README.md", patterns));
        assertFalse(dockerIgnored("modules/app/pom.xml", patterns));
        assertTrue(dockerIgnored("modules/app/target/x.jar", patterns));
        assertFalse(dockerIgnored("scripts/lib.sh", patterns));
        assertTrue(dockerIgnored("scripts/test", patterns));
    }

    /** The Dockerfile's instructions (keyword, arguments), continuation lines joined, comments left out. */
    private static List<String[]> dockerfile() throws IOException {
        List<String[]> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) continue;
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String[] parts = current.toString().trim().split("\\s+", 2);
            instructions.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1].trim() : ""});
            current.setLength(0);
        }
        return instructions;
    }

    /** A systemd unit file: section, key, values in order; a line that is none of these fails the test. */
    private static Map<String, Map<String, List<String>>> unit() throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        for (String line : Files.readAllLines(UNIT)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
            if (trimmed.matches("\\[[A-Za-z]+]")) {
                section = sections.computeIfAbsent(trimmed.substring(1, trimmed.length() - 1), k -> new LinkedHashMap<>());
            } else if (section != null && trimmed.matches("[A-Za-z]+=.*")) {
                int eq = trimmed.indexOf('=');
                section.computeIfAbsent(trimmed.substring(0, eq), k -> new ArrayList<>()).add(trimmed.substring(eq + 1).trim());
            } else {
                fail(UNIT + ": not a unit file line: " + line);
            }
        }
        return sections;
    }

    private static String one(Map<String, List<String>> section, String key) {
        List<String> values = section.get(key);
        assertNotNull(values, key + " missing");
        assertEquals(1, values.size(), key + " set more than once");
        return values.get(0);
    }

    private static int shutdownGraceSeconds() { return Integer.parseInt(ConfigKey.SHUTDOWN_GRACE_SECONDS.defaultValue); }

    /** A compose duration such as 40s or 1m30s, in seconds. */
    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)(h|m|s)").matcher(duration);
        long total = 0;
        while (m.find()) total += Long.parseLong(m.group(1)) * switch (m.group(2)) { case "h" -> 3600; case "m" -> 60; default -> 1; };
        return total;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map<?, ?>, "expected a mapping, got " + o);
        return (Map<String, Object>) o;
    }
}
