package dev.flashsale.bench.probe;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.flashsale.init.Hooks;
import dev.flashsale.init.InvocationContext;
import dev.flashsale.queue.SqsConfirmationQueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crac.Resource;

/**
 * Runs inside one measured child JVM, on the classpath Lambda would build (function classes, then the layer's jars)
 * plus this probe and the runtime's event deserializer. It does what the runtime does: instantiate the handler class
 * (which builds the function's Init and, unless {@code PRIMING=false}, primes), then invoke it with events.
 *
 * <p>Arguments: handler class, init class, event class, events file (one event JSON per line), mode ({@code cold} or
 * {@code restore}), the parent's wall clock in ms just before it started this JVM. Results go to stdout as
 * {@code key=value} lines; the restore mode stops after the checkpoint hooks, prints {@code CHECKPOINTED} and waits
 * for a line on stdin (the parent kills the old connections meanwhile).
 */
public final class Probe {

    private Probe() {}

    public static void main(String[] args) throws Exception {
        String handlerClass = args[0];
        String initClass = args[1];
        String eventClass = args[2];
        Path eventsFile = Path.of(args[3]);
        boolean restore = args[4].equals("restore");
        long launchedAt = Long.parseLong(args[5]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

        // Taken before the handler so that its own classes count the same in every run.
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();

        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler = (RequestHandler<Object, Object>)
                Class.forName(handlerClass).getDeclaredConstructor().newInstance();
        long initDone = System.currentTimeMillis();
        int classesAtInit = classes.getLoadedClassCount();
        out.println("initMs=" + (initDone - launchedAt));
        out.println("classesAtInit=" + classesAtInit);

        // The runtime's deserialization is the runtime's cost, not the function's: done before timing.
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) Class.forName(eventClass);
        PojoSerializer<Object> serializer = LambdaEventSerializers.serializerFor(type, Probe.class.getClassLoader());
        List<Object> events = new ArrayList<>();
        for (String line : Files.readAllLines(eventsFile, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                events.add(serializer.fromJson(line));
            }
        }
        // one context for the whole probe, with Lambda's longest timeout: no invocation runs short of time
        InvocationContext context = new InvocationContext("bench", "us-east-1", java.time.Duration.ofMinutes(15));

        if (restore) {
            // the environment's one Init, as the runtime's invoker found it (XxxInit.LAMBDA, a Once)
            java.lang.reflect.Field lambda = Class.forName(initClass).getDeclaredField("LAMBDA");
            lambda.setAccessible(true);
            Object init = ((dev.flashsale.init.Once<?>) lambda.get(null)).get();
            Hooks hooks = (Hooks) init.getClass().getMethod("hooks").invoke(init);
            long sqsBefore = sqsClientsBuilt(hooks);
            hooks.beforeCheckpoint();
            out.println("CHECKPOINTED");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            in.readLine();
            long hooksStart = System.nanoTime();
            hooks.afterRestore();
            out.println("restoreHooksUs=" + (System.nanoTime() - hooksStart) / 1000);
            long start = System.nanoTime();
            Object response = handler.handleRequest(events.get(0), context);
            long us = (System.nanoTime() - start) / 1000;
            out.println("restoreFirstUs=" + us);
            out.println("sqsClientsBuilt=" + sqsBefore + "->" + sqsClientsBuilt(hooks));
            out.println("response=" + oneLine(response));
            out.println("DONE");
            System.exit(0);
        }

        for (int i = 0; i < events.size(); i++) {
            if (i == 0) {
                System.err.println("=== first invocation");
            } else if (i == 1) {
                System.err.println("=== after first invocation");
            }
            int before = classes.getLoadedClassCount();
            long start = System.nanoTime();
            Object response = handler.handleRequest(events.get(i), context);
            long us = (System.nanoTime() - start) / 1000;
            out.println("invoke" + (i + 1) + "Us=" + us);
            if (i == 0) {
                out.println("classesInFirst=" + (classes.getLoadedClassCount() - before));
                out.println("response=" + oneLine(response));
            }
        }
        out.println("DONE");
        System.exit(0);
    }

    private static long sqsClientsBuilt(Hooks hooks) {
        long n = -1;
        for (Resource r : hooks.resources()) {
            if (r instanceof SqsConfirmationQueue q) {
                n = q.clientsBuilt();
            }
        }
        return n;
    }

    private static String oneLine(Object o) {
        String s = String.valueOf(o).replace('\n', ' ').replace('\r', ' ');
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
