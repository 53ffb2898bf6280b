package dev.flashsale.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How to run the local stack.
 *
 * @param template      the SAM template; default {@code template.yaml} in the working directory
 * @param host          the API's interface; default 127.0.0.1
 * @param port          the API's port; default 3000, 0 for a free one
 * @param httpThreads   requests the API serves at once; default 64
 * @param processEnv    where REDIS_URL, DATABASE_URL, DB_USER, DB_PASSWORD, SQS_ENDPOINT are read; default the process environment
 * @param envOverrides  {@code NAME=value} for every function, or {@code Function.NAME=value} for one, on top of the template's
 * @param scheduleEvery every schedule fires at this interval instead of its expression (a fast local clock); default none
 * @param databaseName  the database used on a PostgreSQL at 127.0.0.1:5432; default flashsale
 * @param queuePrefix   prepended to the queues' logical ids to name them; default none
 * @param log           startup messages and, unless {@code quiet}, one line per invocation; null prints nothing
 * @param quiet         no line per invocation
 */
public record LocalOptions(
        Path template,
        String host,
        int port,
        int httpThreads,
        Map<String, String> processEnv,
        Map<String, String> envOverrides,
        Optional<Duration> scheduleEvery,
        String databaseName,
        String queuePrefix,
        PrintStream log,
        boolean quiet) {

    public static LocalOptions defaults() {
        return new LocalOptions(
                Path.of("template.yaml"),
                "127.0.0.1",
                3000,
                64,
                System.getenv(),
                Map.of(),
                Optional.empty(),
                "flashsale",
                "",
                System.out,
                false);
    }

    public LocalOptions withTemplate(Path t) {
        return new LocalOptions(
                t,
                host,
                port,
                httpThreads,
                processEnv,
                envOverrides,
                scheduleEvery,
                databaseName,
                queuePrefix,
                log,
                quiet);
    }

    public LocalOptions withPort(int p) {
        return new LocalOptions(
                template,
                host,
                p,
                httpThreads,
                processEnv,
                envOverrides,
                scheduleEvery,
                databaseName,
                queuePrefix,
                log,
                quiet);
    }

    public LocalOptions withEnvOverrides(Map<String, String> o) {
        return new LocalOptions(
                template,
                host,
                port,
                httpThreads,
                processEnv,
                Map.copyOf(o),
                scheduleEvery,
                databaseName,
                queuePrefix,
                log,
                quiet);
    }

    public LocalOptions withScheduleEvery(Duration d) {
        return new LocalOptions(
                template,
                host,
                port,
                httpThreads,
                processEnv,
                envOverrides,
                Optional.of(d),
                databaseName,
                queuePrefix,
                log,
                quiet);
    }

    public LocalOptions withDatabaseName(String n) {
        return new LocalOptions(
                template, host, port, httpThreads, processEnv, envOverrides, scheduleEvery, n, queuePrefix, log, quiet);
    }

    public LocalOptions withLog(PrintStream l) {
        return new LocalOptions(
                template,
                host,
                port,
                httpThreads,
                processEnv,
                envOverrides,
                scheduleEvery,
                databaseName,
                queuePrefix,
                l,
                quiet);
    }

    public LocalOptions withHttpThreads(int n) {
        return new LocalOptions(
                template,
                host,
                port,
                n,
                processEnv,
                envOverrides,
                scheduleEvery,
                databaseName,
                queuePrefix,
                log,
                quiet);
    }

    public LocalOptions withQuiet(boolean q) {
        return new LocalOptions(
                template,
                host,
                port,
                httpThreads,
                processEnv,
                envOverrides,
                scheduleEvery,
                databaseName,
                queuePrefix,
                log,
                q);
    }

    /** The local default admin bearer token; the runner listens on loopback only unless told otherwise. */
    public static final String DEFAULT_ADMIN_TOKEN = "local-admin-token";

    /**
     * The bearer token the admin routes accept locally (they are IAM-authorized in AWS): {@code ADMIN_TOKEN} from the
     * process environment, else {@link #DEFAULT_ADMIN_TOKEN}.
     */
    public String adminToken() {
        String t = processEnv.get("ADMIN_TOKEN");
        return t == null || t.isBlank() ? DEFAULT_ADMIN_TOKEN : t;
    }
}
