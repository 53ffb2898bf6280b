package dev.flashsale.local;

import dev.flashsale.local.dashboard.Dashboard;
import dev.flashsale.local.dashboard.EmfTap;
import dev.flashsale.local.dashboard.LocalMetrics;
import dev.flashsale.local.function.FunctionHost;
import dev.flashsale.local.function.InvocationLog;
import dev.flashsale.local.http.ApiServer;
import dev.flashsale.local.schedule.ScheduleExpression;
import dev.flashsale.local.schedule.Scheduler;
import dev.flashsale.local.services.BackingServices;
import dev.flashsale.local.simulate.SimulationOptions;
import dev.flashsale.local.simulate.Simulator;
import dev.flashsale.local.sqs.ApiPolledQueue;
import dev.flashsale.local.sqs.LocalQueues;
import dev.flashsale.local.sqs.PolledQueue;
import dev.flashsale.local.sqs.SqsPoller;
import dev.flashsale.local.template.SamTemplate;
import dev.flashsale.local.template.SamTemplate.FunctionSpec;
import dev.flashsale.local.template.TemplateEnvironment;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.queue.SqsSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole template on this machine: backing services, the queues, every function hosted through its handler class,
 * the HTTP API, one poller per SQS mapping and one timer per schedule. {@link #close()} stops it all in reverse.
 */
public final class LocalStack implements AutoCloseable {

    static final String REGION = "us-east-1";

    private final SamTemplate template;
    private final BackingServices services;
    private final SqsClient sqs;
    private final LocalQueues queues;
    private final Map<String, FunctionHost> functions;
    /** The SQS mappings' further instances of their functions (beyond each function's own in {@link #functions}). */
    private final List<FunctionHost> moreInstances;

    private final Map<String, Map<String, String>> environments;
    private final ApiServer api;
    private final List<SqsPoller> pollers;
    private final List<Scheduler> schedulers;
    private final InvocationLog invocations;
    private final Observed observed;

    /** The stack's metrics as its functions write them (EMF on stdout), and the dashboard showing them. */
    private record Observed(String namespace, LocalMetrics metrics, AutoCloseable tap, Dashboard dashboard) {}

    private LocalStack(
            SamTemplate template,
            BackingServices services,
            SqsClient sqs,
            LocalQueues queues,
            Map<String, FunctionHost> functions,
            List<FunctionHost> moreInstances,
            Map<String, Map<String, String>> environments,
            ApiServer api,
            List<SqsPoller> pollers,
            List<Scheduler> schedulers,
            InvocationLog invocations,
            Observed observed) {
        this.template = template;
        this.services = services;
        this.sqs = sqs;
        this.queues = queues;
        this.functions = functions;
        this.moreInstances = moreInstances;
        this.environments = environments;
        this.api = api;
        this.pollers = pollers;
        this.schedulers = schedulers;
        this.invocations = invocations;
        this.observed = observed;
    }

    public static LocalStack start(LocalOptions options) {
        long t0 = System.nanoTime();
        PrintStream out =
                options.log() == null ? new PrintStream(java.io.OutputStream.nullOutputStream()) : options.log();
        SamTemplate template = SamTemplate.read(options.template());
        out.println("flashsale local: " + template.functions().size() + " functions from "
                + options.template().toAbsolutePath().normalize());
        BackingServices services = BackingServices.resolve(options.processEnv(), options.databaseName());
        out.println(services.describe());
        SqsClient sqs = null;
        Map<String, FunctionHost> functions = new LinkedHashMap<>();
        List<FunctionHost> moreInstances = new ArrayList<>();
        ApiServer api = null;
        List<SqsPoller> pollers = new ArrayList<>();
        List<Scheduler> schedulers = new ArrayList<>();
        // each stack its own metrics namespace: the EMF tap hands each stack (tests run several) its functions'
        // documents
        String namespace =
                "flashsale/local-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        LocalMetrics metrics = new LocalMetrics();
        AutoCloseable tap = EmfTap.register(namespace, metrics::accept);
        Dashboard dashboard = null;
        try {
            sqs = SqsConfirmationQueue.client(new SqsSettings(
                    "unused",
                    Optional.of(services.sqsEndpoint()),
                    REGION,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(30),
                    options.processEnv().get("AWS_ACCESS_KEY_ID") == null));
            LocalQueues queues = LocalQueues.create(sqs, REGION, options.queuePrefix(), template);
            TemplateEnvironment environment = new TemplateEnvironment(template, queues);
            int redisReplicas = services.redisReplicas();
            if (redisReplicas == 0) {
                out.println("  note: the local Redis has no replica: REDIS_WAIT_REPLICAS=0 (a hold would otherwise wait"
                        + " REDIS_WAIT_TIMEOUT for an acknowledgement no replica gives; --env REDIS_WAIT_REPLICAS=1 keeps"
                        + " the template's)");
            }
            // Every function of this stack signs and verifies admission tickets with one key, generated per run
            // (in AWS a Secrets Manager secret); ADMISSION_TICKET_KEY in the process environment or --env wins.
            String ticketKey = options.processEnv().getOrDefault("ADMISSION_TICKET_KEY", localTicketKey());
            Map<String, Map<String, String>> environments = new LinkedHashMap<>();
            for (FunctionSpec f : template.functions().values()) {
                if (!f.triggered()) {
                    // e.g. MigrateFunction, a CloudFormation custom resource: locally the runner applies the migrations
                    out.println("  note: " + f.logicalId()
                            + " has no route, queue or schedule to drive locally; not started");
                    continue;
                }
                TemplateEnvironment.Resolved r = environment.forFunction(
                        f.logicalId(),
                        overrides(f.logicalId(), services, options, namespace, redisReplicas, ticketKey));
                environments.put(f.logicalId(), r.variables());
                if (!r.unresolved().isEmpty()) {
                    out.println("  note: " + f.logicalId() + " runs without " + r.unresolved()
                            + " (not resolvable locally; set with --env)");
                }
            }
            InvocationLog log = new InvocationLog(options.quiet() ? null : options.log());
            startFunctions(template, environments, log, functions);
            if (!template.routes().isEmpty()) {
                api = ApiServer.start(
                        options.host(), options.port(), options.httpThreads(), template.routes(), functions);
                List<String> read = template.sqsMappings().stream()
                        .map(SamTemplate.SqsMapping::queueId)
                        .distinct()
                        .toList();
                List<String> dead = read.stream()
                        .flatMap(q -> template.queues().get(q).deadLetterQueueId().stream())
                        .distinct()
                        .toList();
                dashboard = Dashboard.start(metrics, services.db(), services.redis(), read, dead, queues::backlog);
                api.mount(Dashboard.PATH, dashboard);
            }
            for (SamTemplate.SqsMapping m : template.sqsMappings()) {
                List<FunctionHost> instances = instances(m, template, environments, log, functions, options);
                moreInstances.addAll(instances.subList(1, instances.size()));
                String url = queues.queueUrl(m.queueId());
                SqsClient client = sqs;
                PolledQueue polled = services.sqsServer()
                        .map(server -> server.polledQueue(url))
                        .orElseGet(() -> new ApiPolledQueue(client, url));
                pollers.add(new SqsPoller(m, instances, polled, queues).start());
            }
            for (SamTemplate.ScheduleSpec s : template.schedules()) {
                if (s.enabled()) {
                    ScheduleExpression e = options.scheduleEvery()
                            .map(ScheduleExpression::every)
                            .orElseGet(() -> ScheduleExpression.parse(s.expression()));
                    schedulers.add(new Scheduler(s, e, functions.get(s.functionId()), REGION).start());
                }
            }
            LocalStack stack = new LocalStack(
                    template,
                    services,
                    sqs,
                    queues,
                    functions,
                    moreInstances,
                    environments,
                    api,
                    pollers,
                    schedulers,
                    log,
                    new Observed(namespace, metrics, tap, dashboard));
            stack.printReady(out, (System.nanoTime() - t0) / 1_000_000);
            return stack;
        } catch (RuntimeException | IOException e) {
            schedulers.forEach(Scheduler::close);
            pollers.forEach(SqsPoller::close);
            if (api != null) {
                api.close();
            }
            if (dashboard != null) {
                dashboard.close();
            }
            closeQuietly(tap);
            closeAll(functions.values(), moreInstances);
            if (sqs != null) {
                sqs.close();
            }
            services.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(
                        "the local API could not listen on " + options.host() + ":" + options.port() + ": "
                                + io.getMessage(),
                        io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * The local facts every function gets on top of the template: where the services are, dev mode, and the stack's
     * own metrics namespace with a one-second export interval (for the live dashboard).
     */
    private static String localTicketKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /**
     * The payment webhook's secret locally, unless PAYMENT_WEBHOOK_SECRET is in the process environment or --env:
     * public (docs/local.md), the same as the PaymentFunction's own dev-mode default.
     */
    public static final String WEBHOOK_SECRET = "flashsale-dev-webhook-secret-not-for-production";

    static Map<String, String> overrides(
            String functionId,
            BackingServices services,
            LocalOptions options,
            String namespace,
            int redisReplicas,
            String ticketKey) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("METRICS_NAMESPACE", namespace);
        o.put("OTEL_METRIC_EXPORT_INTERVAL", "1s");
        o.put("REDIS_URL", services.redisUrl());
        o.put("REDIS_CLUSTER_MODE", Boolean.toString(services.redisCluster()));
        o.put("REDIS_POOL_SIZE", Integer.toString(Math.max(4, Math.min(64, options.httpThreads()))));
        if (redisReplicas == 0) {
            // the template asks one replica to acknowledge each new hold (WAIT); with none every hold waited the whole
            // REDIS_WAIT_TIMEOUT, which capped a simulation at (concurrency / that timeout) reservations per second
            o.put("REDIS_WAIT_REPLICAS", "0");
        }
        o.put("DATABASE_URL", services.db().url());
        o.put("DB_USER", services.db().user());
        o.put("DB_PASSWORD", services.db().password());
        o.put("DB_IAM_AUTH", "false"); // the template logs in to RDS Proxy with IAM tokens; locally a password
        o.put("ADMIN_TOKEN", options.adminToken());
        o.put("ADMISSION_TICKET_KEY", ticketKey);
        // the PaymentFunction's webhook secret: fixed and public locally (docs/local.md), so a local client can sign
        o.put("PAYMENT_WEBHOOK_SECRET", options.processEnv().getOrDefault("PAYMENT_WEBHOOK_SECRET", WEBHOOK_SECRET));
        o.put("SQS_ENDPOINT", services.sqsEndpoint().toString());
        o.put("AWS_REGION", REGION);
        o.put("DEV_MODE", "true");
        options.envOverrides().forEach((k, v) -> {
            int dot = k.indexOf('.');
            if (dot < 0) {
                o.put(k, v);
            } else if (k.substring(0, dot).equals(functionId)) {
                o.put(k.substring(dot + 1), v);
            }
        });
        return o;
    }

    /** Builds the functions side by side: each Init connects and primes, which is most of the start-up time. */
    private static void startFunctions(
            SamTemplate template,
            Map<String, Map<String, String>> environments,
            InvocationLog log,
            Map<String, FunctionHost> into) {
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.max(1, template.functions().size()));
        try {
            Map<String, Future<FunctionHost>> started = new LinkedHashMap<>();
            for (FunctionSpec f : template.functions().values()) {
                if (!environments.containsKey(f.logicalId())) {
                    continue;
                }
                started.put(
                        f.logicalId(), pool.submit(() -> FunctionHost.start(f, environments.get(f.logicalId()), log)));
            }
            for (Map.Entry<String, Future<FunctionHost>> e : started.entrySet()) {
                try {
                    into.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException ex) {
                    throw ex.getCause() instanceof RuntimeException r ? r : new IllegalStateException(ex.getCause());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting " + e.getKey());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The function instances an SQS mapping invokes, one per concurrent batch: the function's own, and more built as
     * it was (each its own class loader and Init, as Lambda runs one execution environment per concurrent batch), up
     * to {@code --sqs-concurrency} and the mapping's {@code MaximumConcurrency}.
     */
    private static List<FunctionHost> instances(
            SamTemplate.SqsMapping mapping,
            SamTemplate template,
            Map<String, Map<String, String>> environments,
            InvocationLog log,
            Map<String, FunctionHost> functions,
            LocalOptions options) {
        int n = Math.max(1, Math.min(options.sqsConcurrency(), mapping.maximumConcurrency()));
        List<FunctionHost> instances = new ArrayList<>();
        instances.add(functions.get(mapping.functionId()));
        if (n == 1) {
            return instances;
        }
        FunctionSpec spec = template.functions().get(mapping.functionId());
        Map<String, String> env = environments.get(mapping.functionId());
        ExecutorService pool = Executors.newFixedThreadPool(n - 1);
        try {
            List<Future<FunctionHost>> more = new ArrayList<>();
            for (int i = 1; i < n; i++) {
                more.add(pool.submit(() -> FunctionHost.start(spec, env, log)));
            }
            for (Future<FunctionHost> f : more) {
                instances.add(f.get());
            }
            return instances;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + mapping.functionId());
        } finally {
            pool.shutdownNow();
        }
    }

    private void printReady(PrintStream out, long millis) {
        for (FunctionHost f : functions.values()) {
            out.printf("  %-26s %s (init %d ms)%n", f.id(), f.spec().handler(), f.initMillis());
        }
        if (api != null) {
            for (SamTemplate.HttpRoute r : api.routes().routes()) {
                out.printf("  %-40s -> %s%n", r.routeKey(), r.functionId());
            }
        }
        for (int i = 0; i < pollers.size(); i++) {
            SamTemplate.SqsMapping m = template.sqsMappings().get(i);
            out.printf(
                    "  sqs %-36s -> %s (batch %d, window %d s, %d at once%s)%n",
                    m.queueId(),
                    m.functionId(),
                    m.batchSize(),
                    m.batchingWindowSeconds(),
                    pollers.get(i).concurrency(),
                    m.reportBatchItemFailures() ? ", ReportBatchItemFailures" : "");
        }
        for (Scheduler s : schedulers) {
            out.printf("  schedule %-31s -> %s%n", s.expression(), s.functionId());
        }
        out.println("ready in " + millis + " ms" + (api == null ? "" : ": API at " + baseUrl()) + "  (Ctrl-C stops)");
        if (api != null) {
            out.println("  dashboard: " + baseUrl() + Dashboard.PATH);
        }
        if (api != null) {
            out.println("  buyers: Authorization: Bearer dev:<buyerId>   admin routes: Authorization: Bearer "
                    + environments.values().stream()
                            .map(e -> e.get("ADMIN_TOKEN"))
                            .filter(java.util.Objects::nonNull)
                            .findFirst()
                            .orElse("?"));
        }
    }

    public URI baseUrl() {
        if (api == null) {
            throw new IllegalStateException("the template has no HTTP API routes");
        }
        return URI.create("http://127.0.0.1:" + api.port());
    }

    public SamTemplate template() {
        return template;
    }

    public BackingServices services() {
        return services;
    }

    public LocalQueues queues() {
        return queues;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public Map<String, String> environment(String functionId) {
        return environments.get(functionId);
    }

    /** Messages waiting or in flight in every queue an SQS mapping reads. */
    public long backlog() {
        return template.sqsMappings().stream()
                .map(SamTemplate.SqsMapping::queueId)
                .distinct()
                .mapToLong(queues::backlog)
                .sum();
    }

    /**
     * A simulated flash sale against this stack: its API, its Redis and database, and its queues' backlog.
     *
     * @param out progress and the summary; null prints nothing
     */
    public Simulator simulator(SimulationOptions options, PrintStream out) {
        return new Simulator(
                options,
                baseUrl(),
                services.redis(),
                services.db(),
                this::backlog,
                out,
                environments.getOrDefault("PaymentFunction", Map.of()).get("PAYMENT_WEBHOOK_SECRET"));
    }

    public List<Scheduler> schedulers() {
        return List.copyOf(schedulers);
    }

    public long invocations() {
        return invocations.invocations();
    }

    /** The stack's metrics, from its functions' embedded metric format output. */
    public LocalMetrics metrics() {
        return observed.metrics();
    }

    @Override
    public void close() {
        schedulers.forEach(Scheduler::close);
        pollers.forEach(SqsPoller::close);
        if (api != null) {
            api.close();
        }
        if (observed.dashboard() != null) {
            observed.dashboard().close();
        }
        closeQuietly(observed.tap());
        closeAll(functions.values(), moreInstances);
        sqs.close();
        services.close();
    }

    /** Gives every hosted function's connections back (after nothing invokes them any more). */
    private static void closeAll(java.util.Collection<FunctionHost> functions, List<FunctionHost> moreInstances) {
        functions.forEach(LocalStack::closeQuietly);
        moreInstances.forEach(LocalStack::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("local stack: " + e);
        }
    }
}
