package dev.flashsale.local.sqs;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flashsale.local.function.EventLoop;
import dev.flashsale.local.function.FunctionException;
import dev.flashsale.local.function.FunctionHost;
import dev.flashsale.local.template.SamTemplate.SqsMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One SQS event source mapping: long-polls the queue, gathers up to {@code BatchSize} messages within
 * {@code MaximumBatchingWindowInSeconds}, invokes the function with an {@link SQSEvent}, then deletes what succeeded.
 * With {@code ReportBatchItemFailures} only the returned failures stay; without it, or when the invocation fails, the
 * whole batch stays. What stays becomes visible again after the queue's visibility timeout, and the queue's redrive
 * policy moves it to the dead-letter queue after {@code maxReceiveCount} receives.
 *
 * <p>As Lambda's poller fleet, several batches are in flight at once: one loop per function instance given, each
 * invoking its own instance (its own execution environment: Init, connections) one batch at a time. A batch is invoked
 * as soon as it is full, or when the batching window has passed since its first message was received (capped at half
 * the queue's visibility timeout, so that no message of a waiting batch is received twice).
 */
public final class SqsPoller implements AutoCloseable {

    private static final int MAX_PER_RECEIVE = 10;
    /** Between short polls while a batch fills within its window. */
    private static final long FILL_PAUSE_MILLIS = 10;

    private final SqsMapping mapping;
    private final PolledQueue queue;
    private final String queueArn;
    private final String region;
    private final long windowNanos;
    private final List<EventLoop> loops = new ArrayList<>();

    /**
     * @param instances one per concurrent batch: each loop invokes its own
     * @param queue     the mapping's queue
     * @param queues    the template's queues (the ARN, region and visibility timeout of the mapping's)
     */
    public SqsPoller(SqsMapping mapping, List<FunctionHost> instances, PolledQueue queue, LocalQueues queues) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("an SQS poller needs at least one function instance");
        }
        this.mapping = mapping;
        this.queue = queue;
        this.queueArn = queues.queueArn(mapping.queueId());
        this.region = queues.region();
        // a batch never waits so long that its first message becomes visible again (and is received by another loop)
        // before the batch is invoked: at most half the queue's visibility timeout (the template's 190 s leave the 1 s
        // window alone; a test's 1 s timeout halves it)
        this.windowNanos = Math.min(
                mapping.batchingWindowSeconds() * 1_000_000_000L,
                queues.visibilityTimeoutSeconds(mapping.queueId()) * 500_000_000L);
        for (int i = 0; i < instances.size(); i++) {
            FunctionHost function = instances.get(i);
            EventLoop[] self = new EventLoop[1];
            self[0] = new EventLoop(
                    "sqs-" + mapping.functionId() + "-" + mapping.eventName() + (instances.size() == 1 ? "" : "-" + i),
                    () -> loop(function, self[0]));
            loops.add(self[0]);
        }
    }

    /** How many batches this mapping has in flight at most. */
    public int concurrency() {
        return loops.size();
    }

    public SqsPoller start() {
        loops.forEach(EventLoop::start);
        return this;
    }

    private void loop(FunctionHost function, EventLoop thread) {
        while (thread.running()) {
            try {
                List<Message> batch = receiveBatch(thread);
                if (!batch.isEmpty() && thread.running()) {
                    deliver(function, batch);
                }
            } catch (RuntimeException e) {
                if (thread.running()) {
                    System.err.println("sqs poller " + mapping.functionId() + ": " + e + " (retrying in 1 s)");
                    sleep(1000);
                }
            }
        }
    }

    private List<Message> receiveBatch(EventLoop thread) {
        List<Message> batch = new ArrayList<>(receive(1, mapping.batchSize()));
        long windowEnds = System.nanoTime() + windowNanos;
        while (thread.running()
                && !batch.isEmpty()
                && batch.size() < mapping.batchSize()
                && System.nanoTime() < windowEnds) {
            List<Message> more = receive(0, mapping.batchSize() - batch.size());
            if (more.isEmpty()) {
                sleep(FILL_PAUSE_MILLIS);
            }
            batch.addAll(more);
        }
        return batch;
    }

    private List<Message> receive(int waitSeconds, int wanted) {
        return queue.receive(waitSeconds, Math.min(MAX_PER_RECEIVE, wanted));
    }

    void deliver(FunctionHost function, List<Message> batch) {
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : batch) {
            records.add(record(m));
        }
        event.setRecords(records);
        String trigger =
                "sqs " + mapping.queueId() + " (" + batch.size() + " message" + (batch.size() == 1 ? "" : "s") + ")";
        Object result;
        try {
            result = function.invoke(trigger, event, r -> outcome(r, batch.size()));
        } catch (FunctionException e) {
            return; // the whole batch becomes visible again after the visibility timeout
        }
        Set<String> failed = mapping.reportBatchItemFailures() ? failedIds(result, batch) : Set.of();
        List<String> done = new ArrayList<>();
        for (Message m : batch) {
            if (!failed.contains(m.messageId())) {
                done.add(m.receiptHandle());
            }
        }
        if (done.isEmpty()) {
            return;
        }
        // a delete the queue refuses is said: that message will be delivered again
        Map<String, String> refused = queue.delete(done);
        if (!refused.isEmpty()) {
            System.err.println("sqs poller " + mapping.functionId() + ": " + refused.size() + " of " + done.size()
                    + " deletes failed, those messages will be delivered again: "
                    + refused.values().iterator().next());
        }
    }

    /**
     * The ids the function reported as failed. As in Lambda, a response naming an id that is not in the batch (or an
     * empty id) fails the whole batch.
     */
    private static Set<String> failedIds(Object result, List<Message> batch) {
        if (!(result instanceof SQSBatchResponse response) || response.getBatchItemFailures() == null) {
            return Set.of();
        }
        Set<String> inBatch = new HashSet<>();
        batch.forEach(m -> inBatch.add(m.messageId()));
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
            String id = f.getItemIdentifier();
            if (id == null || !inBatch.contains(id)) {
                return inBatch;
            }
            failed.add(id);
        }
        return failed;
    }

    private static String outcome(Object result, int size) {
        if (result instanceof SQSBatchResponse r
                && r.getBatchItemFailures() != null
                && !r.getBatchItemFailures().isEmpty()) {
            return r.getBatchItemFailures().size() + "/" + size + " failed";
        }
        return "ok";
    }

    private SQSEvent.SQSMessage record(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setMd5OfBody(m.md5OfBody());
        r.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
        Map<String, String> attributes = new HashMap<>();
        m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
        r.setAttributes(attributes);
        Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
        m.messageAttributes().forEach((k, v) -> {
            SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
            a.setDataType(v.dataType());
            a.setStringValue(v.stringValue());
            if (v.binaryValue() != null) {
                a.setBinaryValue(v.binaryValue().asByteBuffer());
            }
            messageAttributes.put(k, a);
        });
        r.setMessageAttributes(messageAttributes);
        r.setEventSource("aws:sqs");
        r.setEventSourceArn(queueArn);
        r.setAwsRegion(region);
        return r;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        loops.forEach(EventLoop::stop); // all at once, then wait for each
        loops.forEach(EventLoop::close);
    }
}
