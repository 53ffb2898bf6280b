package dev.flashsale.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

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
 * @param sqsConcurrency concurrent batches per SQS event source mapping, each invoking its own instance of the function
 *                      (as Lambda runs one execution environment per concurrent batch), at most the mapping's
 *                      {@code ScalingConfig.MaximumConcurrency}; default {@value #DEFAULT_SQS_CONCURRENCY}, 1..64
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
        boolean quiet,
        int sqsConcurrency) {

    public static final int DEFAULT_SQS_CONCURRENCY = 4;

    public LocalOptions {
        if (sqsConcurrency < 1 || sqsConcurrency > 64) {
            throw new IllegalArgumentException("SQS concurrency must be 1..64, was " + sqsConcurrency);
        }
    }

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
                false,
                DEFAULT_SQS_CONCURRENCY);
    }

    public LocalOptions withTemplate(Path t) {
        return with(o -> o.template = t);
    }

    public LocalOptions withPort(int p) {
        return with(o -> o.port = p);
    }

    /** Reads REDIS_URL, DATABASE_URL and the rest from {@code env} instead of the process environment. */
    public LocalOptions withProcessEnv(Map<String, String> env) {
        return with(c -> c.processEnv = Map.copyOf(env));
    }

    public LocalOptions withEnvOverrides(Map<String, String> overrides) {
        return with(o -> o.envOverrides = Map.copyOf(overrides));
    }

    public LocalOptions withScheduleEvery(Duration d) {
        return with(o -> o.scheduleEvery = Optional.of(d));
    }

    public LocalOptions withDatabaseName(String n) {
        return with(o -> o.databaseName = n);
    }

    public LocalOptions withLog(PrintStream l) {
        return with(o -> o.log = l);
    }

    public LocalOptions withHttpThreads(int n) {
        return with(o -> o.httpThreads = n);
    }

    public LocalOptions withQuiet(boolean q) {
        return with(o -> o.quiet = q);
    }

    public LocalOptions withSqsConcurrency(int n) {
        return with(o -> o.sqsConcurrency = n);
    }

    /** These options with {@code change} made to a copy. */
    private LocalOptions with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.options();
    }

    /** A changeable copy of the options, for the {@code with...} methods. */
    private static final class Copy {
        Path template;
        String host;
        int port;
        int httpThreads;
        Map<String, String> processEnv;
        Map<String, String> envOverrides;
        Optional<Duration> scheduleEvery;
        String databaseName;
        String queuePrefix;
        PrintStream log;
        boolean quiet;
        int sqsConcurrency;

        Copy(LocalOptions o) {
            template = o.template;
            host = o.host;
            port = o.port;
            httpThreads = o.httpThreads;
            processEnv = o.processEnv;
            envOverrides = o.envOverrides;
            scheduleEvery = o.scheduleEvery;
            databaseName = o.databaseName;
            queuePrefix = o.queuePrefix;
            log = o.log;
            quiet = o.quiet;
            sqsConcurrency = o.sqsConcurrency;
        }

        LocalOptions options() {
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
                    quiet,
                    sqsConcurrency);
        }
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
