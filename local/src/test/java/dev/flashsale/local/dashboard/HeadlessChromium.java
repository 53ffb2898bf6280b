package dev.flashsale.local.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A real headless Chromium driven through chromedriver's W3C WebDriver protocol with the JDK's HTTP client (no
 * Selenium): start, open a page, run a script in it, take a screenshot, quit. Chromium and chromedriver come from
 * {@code CHROME_BIN} / {@code CHROMEDRIVER} or the PATH (Debian: {@code apt-get install chromium chromium-driver};
 * {@code .ci/run} installs them). Both processes are ours and are stopped by their process handles.
 */
final class HeadlessChromium implements AutoCloseable {

    static final List<String> ARGS = List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--window-size=1280,1100");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process driver;
    private final URI session;

    private HeadlessChromium(Process driver, URI session) {
        this.driver = driver;
        this.session = session;
    }

    static HeadlessChromium start() throws IOException, InterruptedException {
        Path browser = find("CHROME_BIN", "chromium", "chromium-browser", "google-chrome");
        Path chromedriver = find("CHROMEDRIVER", "chromedriver");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!ready(base)) {
                if (System.nanoTime() > deadline || !driver.isAlive()) {
                    throw new IllegalStateException("chromedriver did not start on port " + port);
                }
                Thread.sleep(100);
            }
            JsonNode created = call(
                    "POST",
                    base.resolve("/session"),
                    Map.of(
                            "capabilities",
                            Map.of(
                                    "alwaysMatch",
                                    Map.of(
                                            "browserName",
                                            "chrome",
                                            "goog:chromeOptions",
                                            Map.of("binary", browser.toString(), "args", ARGS)))));
            return new HeadlessChromium(
                    driver,
                    base.resolve("/session/"
                            + created.path("value").path("sessionId").asText() + "/"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(driver);
            throw e;
        }
    }

    void open(URI page) throws IOException, InterruptedException {
        call("POST", session.resolve("url"), Map.of("url", page.toString()));
    }

    /** The value of {@code script} (a function body with {@code return}) run in the page. */
    JsonNode eval(String script) throws IOException, InterruptedException {
        return call("POST", session.resolve("execute/sync"), Map.of("script", script, "args", List.of()))
                .path("value");
    }

    void screenshot(Path png) throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        Files.write(
                png,
                Base64.getDecoder()
                        .decode(call("GET", session.resolve("screenshot"), null)
                                .path("value")
                                .asText()));
    }

    @Override
    public void close() {
        try {
            call("DELETE", session, null);
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the browser is gone already; its driver is stopped below
        } finally {
            stop(driver);
        }
    }

    private static void stop(Process driver) {
        driver.descendants().forEach(ProcessHandle::destroy);
        driver.destroy();
    }

    private static boolean ready(URI base) {
        try {
            return call("GET", base.resolve("/status"), null)
                    .path("value")
                    .path("ready")
                    .asBoolean();
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    private static JsonNode call(String method, URI uri, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        if (r.statusCode() >= 400) {
            throw new IllegalStateException(method + " " + uri + " -> " + r.statusCode() + " "
                    + json.path("value").path("message").asText(r.body()));
        }
        return json;
    }

    /** {@code env} when set, else the first of {@code names} on the PATH. */
    private static Path find(String env, String... names) {
        String set = System.getenv(env);
        if (set != null && !set.isBlank()) {
            return Path.of(set);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException(
                "the dashboard's browser test needs " + String.join(" or ", names) + " on the PATH (or " + env
                        + "): apt-get install chromium chromium-driver (./flashsale test and .ci/run do it when they can)");
    }
}
