package dev.flashsale.init;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.log.JsonLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every function's init shares. A function's Init is built once per execution environment, before the SnapStart
 * snapshot (the runtime builds the Invoker named as {@code Handler} in template.yaml, whose no-argument constructor asks
 * for the environment's Init). It reads its environment into a settings record, builds its clients through its
 * {@link Wiring} (which keeps them for the CRaC hooks), builds its handler, and primes the hot path.
 *
 * <p>Priming neither counts in a metric nor exports a span, and passes a real {@link InvocationContext} to the invoker.
 */
public abstract class FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionInit.class);

    private final InitSettings settings;
    private final Hooks hooks = new Hooks();
    private final Wiring wiring;

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

    /** Finishes {@code init} as the runtime's init phase does: its resources registered, primed unless priming is off. */
    public static <T extends FunctionInit> T start(T init) {
        init.registerCracResources();
        if (((FunctionInit) init).settings.priming()) {
            init.prime();
        }
        return init;
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

    /** Loads every Lua script on Redis, so that no first call pays for a NOSCRIPT round trip. */
    protected final void primeScripts(RedisConnection redis) {
        tryPriming(
                "load the scripts into Redis at " + redis.settings().redacted(),
                () -> redis.loadScripts(PrimeSamples.SALE_ID));
    }
}
