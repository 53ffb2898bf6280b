package dev.flashsale.crac;

import dev.flashsale.config.Config;

/**
 * Whether a function's init primes its hot path: {@code PRIMING}, default true. Turned off only to measure what
 * priming buys (the cold-start benchmark).
 */
public final class Priming {

    private Priming() {
    }

    public static boolean enabled(Config config) {
        return config.bool("PRIMING", true);
    }
}
