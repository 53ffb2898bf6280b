package dev.flashsale.testing;

import dev.flashsale.init.InvocationContext;
import java.time.Duration;

/** The Lambda context tests invoke handlers with, as the runtime would pass one. */
public final class Lambda {

    private Lambda() {}

    /** A context with a fresh request id and Lambda's longest timeout ahead. */
    public static InvocationContext context() {
        return new InvocationContext("test", "us-east-1", Duration.ofMinutes(15));
    }
}
