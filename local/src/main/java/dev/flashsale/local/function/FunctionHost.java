package dev.flashsale.local.function;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.flashsale.config.Config;
import dev.flashsale.init.InvocationContext;
import dev.flashsale.local.template.SamTemplate.FunctionSpec;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * One function of the template, hosted in this JVM through its real {@code Handler} class: loaded in a class loader
 * of its own, built with its public no-arg constructor (so its Init runs exactly as in Lambda) while
 * {@link Config#fromEnv()} answers the environment the template gives this function. Invocations get a Lambda
 * {@code Context} whose remaining time counts down from the function's {@code Timeout}; one that overruns it fails,
 * as in Lambda.
 */
public record FunctionHost(
        FunctionSpec spec, String region, RequestHandler<Object, Object> handler, InvocationLog log, long initMillis)
        implements AutoCloseable {

    /** Loads the handler class and builds it (its Init runs now, reading {@code environment}). */
    @SuppressWarnings("unchecked")
    public static FunctionHost start(FunctionSpec spec, Map<String, String> environment, InvocationLog log) {
        long t0 = System.nanoTime();
        if (spec.handler().contains("::")) {
            throw new FunctionException(spec.logicalId() + ": Handler " + spec.handler()
                    + " names a method; the local runner hosts handler classes that implement RequestHandler");
        }
        ClassLoader loader = new FunctionClassLoader(spec.logicalId(), FunctionHost.class.getClassLoader());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Class<?> type = Class.forName(spec.handler(), false, loader);
            if (!RequestHandler.class.isAssignableFrom(type)) {
                throw new FunctionException(
                        spec.logicalId() + ": " + spec.handler() + " does not implement RequestHandler");
            }
            Constructor<?> constructor = type.getConstructor();
            Object instance = Config.withLocalEnvironment(environment, () -> newInstance(spec, constructor));
            return new FunctionHost(
                    spec,
                    environment.getOrDefault("AWS_REGION", "us-east-1"),
                    (RequestHandler<Object, Object>) instance,
                    log,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (ClassNotFoundException e) {
            throw new FunctionException(spec.logicalId() + ": Handler class " + spec.handler()
                    + " is not on the runner's class path" + " (is its module a dependency of local/pom.xml?)");
        } catch (NoSuchMethodException e) {
            throw new FunctionException(spec.logicalId() + ": " + spec.handler() + " has no public no-arg constructor");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Object newInstance(FunctionSpec spec, Constructor<?> constructor) {
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new FunctionException(spec.logicalId() + ": init failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new FunctionException(spec.logicalId() + ": cannot build " + spec.handler() + ": " + e, e);
        }
    }

    public String id() {
        return spec.logicalId();
    }

    /**
     * Invokes the handler and logs one line.
     *
     * @param trigger  what caused it, for the log line
     * @param outcome  describes a successful result for the log line
     * @throws FunctionException when the handler threw or overran its timeout (the caller maps it as Lambda would)
     */
    public Object invoke(String trigger, Object event, Function<Object, String> outcome) {
        long t0 = System.nanoTime();
        Duration timeout = Duration.ofSeconds(spec.timeoutSeconds());
        Object result;
        try {
            result = handler.handleRequest(event, new InvocationContext(spec.logicalId(), region, timeout));
        } catch (RuntimeException | Error e) {
            log.record(spec.logicalId(), trigger, "ERROR " + e.getClass().getSimpleName(), micros(t0));
            throw new FunctionException(spec.logicalId() + " failed: " + e, e);
        }
        long micros = micros(t0);
        if (micros > timeout.toNanos() / 1000) {
            log.record(spec.logicalId(), trigger, "TIMEOUT >" + spec.timeoutSeconds() + "s", micros);
            throw new FunctionException(spec.logicalId() + " overran its Timeout of " + spec.timeoutSeconds() + " s");
        }
        log.record(spec.logicalId(), trigger, outcome.apply(result), micros);
        return result;
    }

    /**
     * Gives the function's connections back (its Redis pools, its database connection), as a SnapStart snapshot would:
     * the project's {@code Hooks.checkpointAll} in the function's own class loader. Without it every stopped stack kept
     * its connections until the JVM exited (tests start many stacks: PostgreSQL ran out of connections).
     */
    @Override
    public void close() {
        ClassLoader loader = handler.getClass().getClassLoader();
        try {
            Class.forName("dev.flashsale.init.Hooks", true, loader)
                    .getMethod("checkpointAll")
                    .invoke(null);
        } catch (ClassNotFoundException e) {
            // a handler that is not the project's: nothing of ours to close
        } catch (InvocationTargetException e) {
            System.err.println(spec.logicalId() + ": closing its connections failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(spec.logicalId() + ": Hooks.checkpointAll is not callable", e);
        }
    }

    private static long micros(long t0) {
        return (System.nanoTime() - t0) / 1000;
    }
}
