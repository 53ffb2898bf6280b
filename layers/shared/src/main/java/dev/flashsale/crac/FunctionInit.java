package dev.flashsale.crac;

import java.util.function.Function;

import org.crac.Resource;

import dev.flashsale.config.Config;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.log.JsonLog;

/**
 * What every function's init shares: the CRaC hooks it registers, its telemetry, and priming that neither counts in a
 * metric nor exports a span. A subclass builds its clients and handler in its constructor, names its CRaC resources and
 * primes its own path.
 */
public abstract class FunctionInit {

    private final Hooks hooks = new Hooks();
    private final Telemetry telemetry;

    protected FunctionInit(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    /**
     * Builds an init as the runtime's init phase does: from {@code config}, its resources registered, primed unless
     * {@code PRIMING=false}.
     */
    public static <T extends FunctionInit> T start(Config config, Function<Config, T> constructor) {
        T init = constructor.apply(config);
        init.registerCracResources();
        if (Priming.enabled(config)) {
            init.prime();
        }
        return init;
    }

    public final Hooks hooks() {
        return hooks;
    }

    public final Telemetry telemetry() {
        return telemetry;
    }

    /** Registers {@link #cracResources()} and the telemetry (its trace id source is reseeded after restore). */
    public final void registerCracResources() {
        hooks.register(cracResources());
        hooks.register(telemetry);
    }

    /** The connections to close before the snapshot and the random sources to reseed after restore, in order. */
    protected abstract Resource[] cracResources();

    /**
     * Primes the function's path. Invokers are primed without telemetry, so that no metric counts a priming call; what
     * the clients trace runs under an unsampled parent, so nothing is exported; then the tracing path itself, unexported.
     * Nothing below WARN is logged meanwhile, and no priming call is logged as an invocation ({@link JsonLog#priming()}).
     */
    public final void prime() {
        try (var ignored = JsonLog.priming()) {
            telemetry.quietly(this::primePaths);
            telemetry.prime();
        }
    }

    /** Runs the hot path once without changing any data; an outage is logged, not thrown. */
    protected abstract void primePaths();
}
