package dev.flashsale.local.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Does locally what CloudWatch Logs does with a Lambda function's stdout: an embedded metric format document (a line
 * starting {@code {"_aws"}) is taken as metrics, by the stack that owns its namespace; everything else is printed as
 * usual. Installed as {@code System.out} while at least one stack is registered (the hosted functions' EMF exporters
 * write to {@code System.out}), so stacks in one JVM (tests) each get their own namespace's documents.
 */
public final class EmfTap extends PrintStream {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMF = "{\"_aws\"";
    private static final Map<String, Consumer<JsonNode>> STACKS = new ConcurrentHashMap<>();
    private static PrintStream original;

    private EmfTap(PrintStream out) {
        super(out, true);
    }

    /** Documents of {@code namespace} go to {@code documents} until the returned handle is closed. */
    public static synchronized AutoCloseable register(String namespace, Consumer<JsonNode> documents) {
        if (STACKS.isEmpty()) {
            original = System.out;
            System.setOut(new EmfTap(original));
        }
        STACKS.put(namespace, documents);
        return () -> unregister(namespace);
    }

    private static synchronized void unregister(String namespace) {
        STACKS.remove(namespace);
        if (STACKS.isEmpty() && original != null) {
            System.setOut(original);
            original = null;
        }
    }

    @Override
    public void print(String s) {
        if (s == null || !s.startsWith(EMF) || !claimed(s)) {
            super.print(s);
        }
    }

    @Override
    public void println(String s) {
        if (s == null || !s.startsWith(EMF) || !claimed(s)) {
            super.println(s);
        }
    }

    private static boolean claimed(String line) {
        try {
            JsonNode doc = JSON.readTree(line);
            Consumer<JsonNode> stack = STACKS.get(doc.path("_aws")
                    .path("CloudWatchMetrics")
                    .path(0)
                    .path("Namespace")
                    .asText());
            if (stack == null) {
                return false;
            }
            stack.accept(doc);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
