package dev.flashsale.local;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.local.services.BackingServices;
import dev.flashsale.local.services.LocalSetupException;
import dev.flashsale.local.simulate.PaymentMix;
import dev.flashsale.local.simulate.SimulationOptions;
import dev.flashsale.local.simulate.SimulationSummary;
import dev.flashsale.local.simulate.Simulator;
import dev.flashsale.local.template.TemplateException;
import dev.flashsale.telemetry.log.JsonLog;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar local/target/flashsale-local.jar [run|simulate] [options]}; {@code --help} lists the options.
 * Exit status: 0 ok, 1 an invariant was violated (simulate), 2 bad usage, 3 the stack could not start.
 */
public final class Main {

    private static final String USAGE = """
            usage: java -jar local/target/flashsale-local.jar [run] [options]
                   java -jar local/target/flashsale-local.jar simulate [simulate options] [options]

            run (default): serve every function of template.yaml on this machine until Ctrl-C
              --template PATH        SAM template (default template.yaml)
              --port N               HTTP API port (default 3000; 0 = a free one)
              --threads N            requests served at once (default 64)
              --env NAME=VALUE       set a variable for every function; --env Function.NAME=VALUE for one (repeatable)
              --schedule-every DUR   fire every schedule at this interval instead of its expression (e.g. 5s)
              --database NAME        database on a PostgreSQL at 127.0.0.1:5432 (default flashsale)
              --quiet                no log line per invocation
              --sqs-concurrency N    concurrent batches per SQS event source, each its own function instance (default 4)
              --log-file PATH        where the functions' JSON log lines go (default flashsale-local.log)
              --json-logs            print the JSON log lines on the console instead (as Lambda writes them)
            simulate: start the stack (or use --url), run a flash sale against it, print and write a summary
              --url URL              a running local API instead of starting one
              --buyers N (2000)  --stock N (300)  --concurrency N (64)  --attempts N (1)  --quantity N (1)
              --duration DUR (30s)   the crowd stops sending after this
              --warmup N (0)         first a throwaway sale to N buyers, sent and confirmed, not measured (JIT warm-up)
              --drain-timeout DUR (60s)
              --ticketed             a ticketed sale: the crowd joins its queue, polls with backoff, reserves when admitted
              --poll-cap DUR (1s)    ticketed: the longest a waiting buyer waits between polls (the waiting room may ask more)
              --no-show PERCENT (0)  ticketed: the chance that an admitted buyer walks away without reserving
              --buckets N (1)        split the sale's stock into N Redis buckets (1..16; open sales only): buyers reserve in
                                     their home bucket, which borrows units from the others when it runs short
              --payment-window DUR   the sale's orders must be paid within DUR; buyers then pay, cancel or walk away, and
                                     later buyers buy what comes back (use --schedule-every well under DUR)
              --never-pay PERCENT (30)  --cancel PERCENT (5)  --pay-late PERCENT (5)   with --payment-window
              --out DIR              where summary.txt and latency.html go (default simulation/<saleId>)
            backing services: REDIS_URL, DATABASE_URL (+ DB_USER, DB_PASSWORD), SQS_ENDPOINT; else 127.0.0.1:6379 / :5432;
            else embedded (SQS: in memory; LOCAL_SQS=elasticmq for ElasticMQ). Durations: 250ms, 5s, 2m, 1h.
            """;

    private Main() {}

    static final Path DEFAULT_LOG_FILE = Path.of("flashsale-local.log");

    public static void main(String[] args) {
        localJvmSettings();
        System.exit(run(args));
    }

    /**
     * JDK networking settings for the runner's JVM, set before any connection is made (the JDK reads them once). Every
     * hosted function's SQS client (the URL-connection HTTP client) and the simulator keep their connections alive in
     * the JDK's keep-alive cache, which keeps only 5 idle connections per server by default: with dozens of requests at
     * once, each request past the 5th opened and closed a TCP connection. In Lambda one environment sends one request at
     * a time, so this is a local matter. The JDK HTTP servers (the API, the in-memory SQS) send without Nagle's delay.
     */
    public static void localJvmSettings() {
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "1024");
        }
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    static int run(String[] args) {
        Deque<String> a = new ArrayDeque<>(List.of(args));
        String command = !a.isEmpty() && !a.peek().startsWith("-") ? a.pop() : "run";
        LocalOptions local = LocalOptions.defaults();
        SimulationOptions sim = SimulationOptions.defaults();
        Map<String, String> env = new LinkedHashMap<>();
        Path logFile = DEFAULT_LOG_FILE;
        boolean jsonLogs = false;
        java.time.Duration paymentWindow = null;
        int neverPay = 30;
        int cancel = 5;
        int payLate = 5;
        try {
            while (!a.isEmpty()) {
                String opt = a.pop();
                switch (opt) {
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return 0;
                    }
                    case "--template" -> local = local.withTemplate(Path.of(value(a, opt)));
                    case "--port" -> local = local.withPort(integer(a, opt));
                    case "--threads" -> local = local.withHttpThreads(integer(a, opt));
                    case "--env", "-e" -> {
                        String kv = value(a, opt);
                        int eq = kv.indexOf('=');
                        if (eq < 1) {
                            throw new IllegalArgumentException("--env needs NAME=VALUE, was " + kv);
                        }
                        env.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    case "--schedule-every" -> local = local.withScheduleEvery(duration(a, opt));
                    case "--database" -> local = local.withDatabaseName(value(a, opt));
                    case "--quiet" -> local = local.withQuiet(true);
                    case "--sqs-concurrency" -> local = local.withSqsConcurrency(integer(a, opt));
                    case "--log-file" -> logFile = Path.of(value(a, opt));
                    case "--json-logs" -> jsonLogs = true;
                    case "--url" -> sim = sim.withUrl(URI.create(value(a, opt)));
                    case "--buyers" -> sim = sim.withBuyers(integer(a, opt));
                    case "--stock" -> sim = sim.withStock(integer(a, opt));
                    case "--concurrency" -> sim = sim.withConcurrency(integer(a, opt));
                    case "--attempts" -> sim = sim.withAttempts(integer(a, opt));
                    case "--quantity" -> sim = sim.withQuantity(integer(a, opt));
                    case "--duration" -> sim = sim.withDuration(duration(a, opt));
                    case "--warmup" -> sim = sim.withWarmup(integer(a, opt));
                    case "--drain-timeout" -> sim = sim.withDrainTimeout(duration(a, opt));
                    case "--out" -> sim = sim.withOut(Path.of(value(a, opt)));
                    case "--ticketed" -> sim = sim.withTicketed(true);
                    case "--poll-cap" -> sim = sim.withPollCap(duration(a, opt));
                    case "--no-show" -> sim = sim.withNoShowPercent(integer(a, opt));
                    case "--buckets" -> sim = sim.withBuckets(integer(a, opt));
                    case "--payment-window" -> paymentWindow = duration(a, opt);
                    case "--never-pay" -> neverPay = integer(a, opt);
                    case "--cancel" -> cancel = integer(a, opt);
                    case "--pay-late" -> payLate = integer(a, opt);
                    default -> throw new IllegalArgumentException("unknown option " + opt);
                }
            }
            if (!command.equals("run") && !command.equals("simulate")) {
                throw new IllegalArgumentException("unknown command " + command + " (run or simulate)");
            }
            if (paymentWindow != null) {
                sim = sim.withPayment(new PaymentMix(paymentWindow, neverPay, cancel, payLate));
            }
            if (!Files.isRegularFile(local.template())) {
                throw new IllegalArgumentException(local.template().toAbsolutePath()
                        + " not found: run from the repository root or pass --template");
            }
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("error: " + e.getMessage() + "\n\n" + USAGE);
            return 2;
        }
        local = local.withEnvOverrides(env);
        if ((local.quiet() || command.equals("simulate")) && System.getenv("LOG_LEVEL") == null) {
            // the functions' per-invocation INFO lines would bury the progress and the runner's own lines
            JsonLog.threshold(org.slf4j.event.Level.WARN);
        }
        boolean simulating = command.equals("simulate");
        // JSON log lines to a file, the console keeps the start-up table, a line per invocation and the warnings
        try (AutoCloseable logs = jsonLogs ? () -> {} : FunctionLogs.toFile(logFile, simulating ? null : System.out)) {
            if (!jsonLogs) {
                System.out.println("function logs (JSON lines): "
                        + logFile.toAbsolutePath().normalize());
            }
            return simulating ? simulate(local, sim) : serve(local);
        } catch (LocalSetupException | TemplateException e) {
            System.err.println("error: " + e.getMessage());
            return 3;
        } catch (Exception e) {
            System.err.println("error: " + e);
            return 3;
        }
    }

    private static int serve(LocalOptions options) throws InterruptedException {
        LocalStack stack = LocalStack.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\nstopping...");
                            stack.close();
                            System.out.println("stopped (" + stack.invocations() + " invocations)");
                            stopped.countDown();
                        },
                        "local-shutdown"));
        stopped.await();
        return 0;
    }

    private static int simulate(LocalOptions local, SimulationOptions sim) throws Exception {
        SimulationSummary summary;
        if (sim.url().isPresent()) {
            try (BackingServices services = BackingServices.resolve(local.processEnv(), local.databaseName())) {
                summary = new Simulator(
                                sim,
                                sim.url().get(),
                                services.redis(),
                                services.db(),
                                () -> 0,
                                System.out,
                                System.getenv("PAYMENT_WEBHOOK_SECRET"))
                        .run();
            }
        } else {
            System.out.println("starting the local stack...");
            try (LocalStack stack = LocalStack.start(local.withPort(0).withLog(null))) {
                System.out.println("stack ready at " + stack.baseUrl());
                summary = stack.simulator(sim, System.out).run();
            }
        }
        return summary.invariantsHold() ? 0 : 1;
    }

    private static String value(Deque<String> a, String opt) {
        if (a.isEmpty()) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return a.pop();
    }

    private static int integer(Deque<String> a, String opt) {
        String v = value(a, opt);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a whole number, was " + v);
        }
    }

    private static Duration duration(Deque<String> a, String opt) {
        return Config.of(Map.of(opt, value(a, opt)))
                .duration(opt, Duration.ZERO, Duration.ofMillis(1), Duration.ofDays(1));
    }
}
