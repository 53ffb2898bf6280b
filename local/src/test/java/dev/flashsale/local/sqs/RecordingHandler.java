package dev.flashsale.local.sqs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function for {@link SqsPollerTest}, hosted like a template's handler: records every batch it is invoked with
 * (bodies, receive counts, which instance) and reports a record whose body starts with {@code poison} as a batch item
 * failure. Its records are static: the runner's class loaders share {@code dev.flashsale.local} classes with the test.
 */
public final class RecordingHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    /** One invocation: the instance that ran it, and its records' bodies and receive counts. */
    public record Batch(int instance, List<String> bodies, List<Integer> receiveCounts) {}

    static final ConcurrentLinkedQueue<Batch> BATCHES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final int instance = INSTANCES.incrementAndGet();
    private final AtomicInteger concurrent = new AtomicInteger();

    static void reset() {
        BATCHES.clear();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        if (concurrent.incrementAndGet() != 1) {
            throw new IllegalStateException("an instance was invoked with two batches at once");
        }
        try {
            List<String> bodies = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                bodies.add(m.getBody());
                Map<String, String> a = m.getAttributes();
                counts.add(Integer.parseInt(a.getOrDefault("ApproximateReceiveCount", "0")));
                if (m.getBody().startsWith("poison")) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
            BATCHES.add(new Batch(instance, bodies, counts));
            return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
        } finally {
            concurrent.decrementAndGet();
        }
    }
}
