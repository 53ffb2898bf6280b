package dev.flashsale.init;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.log.JsonLog;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every function's init shares. A function's Init is built once per execution environment, before the SnapStart
 * snapshot (the runtime builds the Invoker named as {@code Handler} in template.yaml, whose no-argument constructor asks
 * for the environment's Init). It reads its environment into a settings record, builds its clients through its
 * {@link Wiring} (which keeps them for the CRaC hooks), builds its handler and {@link #invoker()}, and primes the hot
 * path.
 *
 * <p>Priming neither counts in a metric nor exports a span, and passes a real {@link InvocationContext} to the invoker.
 */
public abstract class FunctionInit<I> {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionInit.class);

    private final InitSettings settings;
    private final Hooks hooks = new Hooks();
    private final Wiring wiring;
    private Function<Telemetry, I> invokers;
    private I invoker;

    /** @param telemetry built from {@code settings} in Lambda ({@link #telemetry(InitSettings)}); tests pass their own */
    protected FunctionInit(InitSettings settings, Telemetry telemetry) {
        JsonLog.threshold(settings.logLevel());
        this.settings = settings;
        this.wiring = new Wiring(telemetry);
    }

    /** The telemetry pipeline {@code settings} describe (none by default). */
    protected static Telemetry telemetry(InitSettings settings) {
        return Telemetry.create(settings.telemetry(), settings.runtime(), settings.function());
    }

    /** An Init as Lambda builds it from {@code env}: telemetry as its {@code OTEL_*} settings say. */
    protected static <E extends FunctionEnvironment, T extends FunctionInit<?>> T build(
            E env, BiFunction<E, Telemetry, T> init) {
        return init.apply(env, telemetry(env.init()));
    }

    /** The execution environment's one Init, built from the process environment on first use and started. */
    protected static <T extends FunctionInit<?>> Once<T> perEnvironment(Function<Config, T> from) {
        return new Once<>(() -> start(from.apply(Config.fromEnv())));
    }

    /** Finishes {@code init} as the runtime's init phase does: its resources registered, primed unless priming is off. */
    public static <T extends FunctionInit<?>> T start(T init) {
        init.registerCracResources();
        if (((FunctionInit<?>) init).settings.priming()) {
            init.prime();
        }
        return init;
    }

    /**
     * Called once, by the Init's constructor: how to build the invoker over the handler with a given telemetry. The
     * runtime's invoker gets the function's telemetry; priming uses one without ({@link #quietInvoker()}).
     */
    protected final void serve(Function<Telemetry, I> build) {
        if (invokers != null) {
            throw new IllegalStateException("the invoker is already built");
        }
        invokers = build;
        invoker = build.apply(wiring.telemetry());
    }

    /** The invoker the runtime's instance delegates to. */
    public final I invoker() {
        return invoker;
    }

    /** The same invoker without telemetry: priming must not count in a metric. */
    protected final I quietInvoker() {
        return invokers.apply(Telemetry.noop());
    }

    /** The function's Redis connection (for functions that have one). */
    public final RedisConnection redis() {
        return wiring.redis().orElseThrow(() -> new IllegalStateException(settings.function() + " has no Redis"));
    }

    /** The function's database connection (for functions that have one). */
    public final DbConnection db() {
        return wiring.db().orElseThrow(() -> new IllegalStateException(settings.function() + " has no database"));
    }

    public final Hooks hooks() {
        return hooks;
    }

    public final Telemetry telemetry() {
        return wiring.telemetry();
    }

    protected final Wiring wiring() {
        return wiring;
    }

    /** Registers what the wiring kept, then the telemetry (its trace id source is reseeded after restore). */
    public final void registerCracResources() {
        wiring.resources().forEach(hooks::register);
        hooks.register(wiring.telemetry());
    }

    /**
     * Primes the function's path. Invokers are primed without telemetry, so that no metric counts a priming call; what
     * the clients trace runs under an unsampled parent, so nothing is exported; then the tracing path itself, unexported.
     * Nothing below WARN is logged meanwhile, and no priming call is logged as an invocation ({@link JsonLog#priming()}).
     */
    public final void prime() {
        try (var ignored = JsonLog.priming()) {
            wiring.telemetry().quietly(this::primePaths);
            wiring.telemetry().prime();
        }
    }

    /** Runs the hot path once without changing any data; an outage is logged, not thrown ({@link #tryPriming}). */
    protected abstract void primePaths();

    /** The context a priming invocation passes to the invoker: request id {@code prime}, the function's name. */
    protected final InvocationContext primingContext() {
        return InvocationContext.priming(settings.function());
    }

    /** Runs one priming step; a dependency that cannot be reached at init is logged, not fatal. */
    protected final void tryPriming(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("priming could not {}: {}", what, e.toString());
        }
    }

    /** Runs one priming step that needs the database, logged as a database outage when it fails. */
    protected final void tryDatabase(Runnable step) {
        tryPriming("reach the database at " + db().settings().redacted(), step);
    }

    /** Loads every Lua script on Redis, so that no first call pays for a NOSCRIPT round trip. */
    protected final void primeScripts() {
        tryPriming(
                "load the scripts into Redis at " + redis().settings().redacted(),
                () -> redis().loadScripts(PrimeSamples.SALE_ID));
    }

    /**
     * Sends one priming request through {@code quiet} (an invoker without telemetry) and warns when it is not answered
     * {@code expected}: a dependency the path needs is unreachable, or the path is broken.
     */
    protected final APIGatewayV2HTTPResponse primeRequest(
            RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> quiet,
            APIGatewayV2HTTPEvent request,
            int expected) {
        APIGatewayV2HTTPResponse answer = quiet.handleRequest(request, primingContext());
        if (answer.getStatusCode() != expected) {
            LOG.warn(
                    "priming {} answered {} (expected {}): {}",
                    request.getRouteKey(),
                    answer.getStatusCode(),
                    expected,
                    answer.getBody());
        }
        return answer;
    }
}
