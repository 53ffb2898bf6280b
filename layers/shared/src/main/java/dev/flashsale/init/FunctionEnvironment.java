package dev.flashsale.init;

/** A function's settings record: everything it reads from its environment, once, in its Init. */
public interface FunctionEnvironment {

    /** What every function reads alike (telemetry, log level, priming). */
    InitSettings init();
}
