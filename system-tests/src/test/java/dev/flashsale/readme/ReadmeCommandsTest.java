package dev.flashsale.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.testing.RepoRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two commands, as a newcomer runs them: in a fresh clone of this repository (its committed HEAD), with a
 * Java 17 first on the PATH and no JAVA_HOME. {@code ./flashsale} must pick a JDK 21+, build the runner and start
 * it with a console a person can read (no JVM warning, no JSON line); the README's curl walkthrough, run as it stands,
 * must reserve and confirm; {@code ./flashsale test} (what CI runs) must build and test with the same JDK, here
 * limited to one module and one test class because the whole suite is what is running this test.
 */
class ReadmeCommandsTest {

    private static final Pattern READY = Pattern.compile("ready in \\d+ ms: API at (http://127\\.0\\.0\\.1:\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void fromAFreshCloneWithJava17First_bothCommandsWork_andTheWalkthroughRunsAsPasted(@TempDir Path tmp)
            throws Exception {
        Path clone = tmp.resolve("clone");
        run(
                List.of("git", "clone", "--quiet", RepoRoot.find().toString(), clone.toString()),
                tmp,
                Map.of(),
                Duration.ofMinutes(2));
        Map<String, String> env = java17First(tmp);

        // The launcher's choice: not the Java 17 on the PATH.
        Result jdk = run(List.of("./flashsale", "jdk"), clone, env, Duration.ofSeconds(30));
        assertThat(jdk.exit()).as(jdk.output()).isZero();
        assertThat(jdk.output()).doesNotContain(env.get("PATH").split(":")[0].replace("/bin", ""));
        assertThat(majorVersion(jdk.output())).as(jdk.output()).isGreaterThanOrEqualTo(21);

        // Command 1: build and start (a free port and a database of its own, so as not to meet other runs).
        Process runner =
                start(List.of("./flashsale", "--port", "0", "--database", "flashsale_readme_test"), clone, env);
        List<String> console = Collections.synchronizedList(new ArrayList<>());
        Thread reader = drain(runner, console);
        try {
            String api = awaitReady(runner, console, Duration.ofMinutes(8));

            // The README's walkthrough, as it stands, against that port.
            String walkthrough =
                    walkthrough(Files.readString(clone.resolve("README.md"))).replace("http://127.0.0.1:3000", api);
            Result curl = run(List.of("bash", "-c", walkthrough), clone, env, Duration.ofMinutes(1));
            assertThat(curl.exit()).as(curl.output()).isZero();
            assertThat(curl.output())
                    .contains("\"status\":\"live\"")
                    .contains("HTTP/1.1 201")
                    .contains("\"status\":\"HELD\"");
            Matcher held = Pattern.compile("\"reservationId\":\"([0-9A-Z]+)\",\"saleId\":\"(sale-\\d+)\"")
                    .matcher(curl.output());
            assertThat(held.find()).as(curl.output()).isTrue();
            URI reservation = URI.create(api + "/sales/" + held.group(2) + "/reservations/" + held.group(1));
            assertThat(eventually(Duration.ofSeconds(30), () -> get(reservation).contains("\"status\":\"CONFIRMED\"")))
                    .isTrue();

            // What the console showed a person: the table, one readable line per invocation, no warning, no JSON.
            List<String> lines = List.copyOf(console);
            assertThat(lines)
                    .anyMatch(l -> l.contains("ReserveFunction")
                            && l.contains("http POST /sales/" + held.group(2))
                            && l.contains(" 201 "));
            assertThat(lines).anyMatch(l -> l.contains("dashboard: " + api + "/_dashboard"));
            assertThat(lines)
                    .noneMatch(l -> l.contains("WARNING"))
                    .noneMatch(l -> l.startsWith("{"))
                    .noneMatch(l -> l.contains("__prime__"));
            assertThat(clone.resolve("flashsale-local.log")).content().contains("\"logger\":\"org.flywaydb");
        } finally {
            stop(runner);
            reader.join(5000);
        }
        assertThat(console).anyMatch(l -> l.startsWith("stopped ("));

        // Command 2, limited to one module (with what it needs, -am) and one test class: the JDK, the services, then
        // mvn -B verify.
        Result test = run(
                List.of(
                        "./flashsale",
                        "test",
                        "-pl",
                        "layers/shared",
                        "-am",
                        "-Dtest=ConfigTest",
                        "-Dsurefire.failIfNoSpecifiedTests=false"),
                clone,
                env,
                Duration.ofMinutes(6));
        assertThat(test.exit()).as(tail(test.output())).isZero();
        assertThat(test.output())
                .contains("[ci] Redis:")
                .contains("[ci] PostgreSQL:")
                .contains("BUILD SUCCESS")
                .containsPattern("Tests run: \\d+, Failures: 0, Errors: 0, Skipped: 0");
        Matcher ciJdk = Pattern.compile("\\[ci] JDK: (\\S+) \\((\\S+)\\)").matcher(test.output());
        assertThat(ciJdk.find()).isTrue();
        assertThat(jdk.output()).as("./flashsale and .ci/run pick the same JDK").startsWith(ciJdk.group(1) + " ");
        assertThat(test.output()).doesNotContain("sun.misc.Unsafe");
    }

    /** The sh block the README marks as run by this test. */
    static String walkthrough(String readme) {
        int marker = readme.indexOf("run as it stands by ReadmeCommandsTest");
        assertThat(marker).as("README marks its walkthrough").isPositive();
        int from = readme.indexOf("```sh\n", marker) + "```sh\n".length();
        return readme.substring(from, readme.indexOf("```", from));
    }

    /**
     * The environment a newcomer's shell has on a machine of this kind: a Java 17 first on the PATH (the machine's own,
     * or a stand-in that says it is 17 and does nothing else), no JAVA_HOME, no JDK 21+ directory on the PATH.
     */
    private static Map<String, String> java17First(Path tmp) throws IOException {
        Path java17 = java17Home().orElse(null);
        if (java17 == null) {
            java17 = tmp.resolve("java17");
            Files.createDirectories(java17.resolve("bin"));
            Path stub = java17.resolve("bin/java");
            Files.writeString(stub, "#!/bin/sh\necho 'openjdk version \"17.0.2\" 2022-01-18' >&2\nexit 1\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String rest = Stream.of(
                        System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .filter(d -> !d.startsWith("/usr/lib/jvm/") && !d.equals(System.getProperty("java.home") + "/bin"))
                .filter(d -> System.getenv("JAVA_HOME") == null || !d.startsWith(System.getenv("JAVA_HOME")))
                .collect(Collectors.joining(":"));
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.remove("JAVA_HOME");
        env.remove("MAVEN_OPTS");
        env.put("PATH", java17.resolve("bin") + ":" + rest);
        return env;
    }

    private static Optional<Path> java17Home() throws IOException {
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvm)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")))
                    .filter(d -> {
                        try {
                            return Files.readString(d.resolve("release")).contains("JAVA_VERSION=\"17");
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .findFirst();
        }
    }

    private static int majorVersion(String jdkLine) {
        Matcher m = Pattern.compile("\\((\\d+)").matcher(jdkLine);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout)
            throws Exception {
        Process p = start(command, dir, env);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Thread reader = drain(p, out);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(p);
            throw new AssertionError(
                    command + " did not finish within " + timeout + ":\n" + tail(String.join("\n", out)));
        }
        reader.join(5000);
        return new Result(p.exitValue(), String.join("\n", out));
    }

    private static Process start(List<String> command, Path dir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    private static Thread drain(Process p, List<String> into) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            into.add(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "readme-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String awaitReady(Process runner, List<String> console, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && runner.isAlive()) {
            synchronized (console) {
                for (String l : console) {
                    Matcher m = READY.matcher(l);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("./flashsale did not get ready:\n" + tail(String.join("\n", console)));
    }

    /**
     * Our child and what it started, by their process handles: SIGTERM first (as Ctrl-C would; through the handle, so
     * that its last output can still be read), then forcibly.
     */
    private static void stop(Process p) throws InterruptedException {
        p.toHandle().destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        p.descendants().forEach(ProcessHandle::destroy);
    }

    private static String get(URI uri) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(uri)
                                    .header("Authorization", "Bearer dev:alice")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return condition.getAsBoolean();
    }

    private static String tail(String text) {
        return text.length() > 6000 ? "..." + text.substring(text.length() - 6000) : text;
    }
}
