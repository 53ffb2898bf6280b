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
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One SQS event source mapping: long-polls the queue, gathers up to {@code BatchSize} messages within
 * {@code MaximumBatchingWindowInSeconds}, invokes the function with an {@link SQSEvent}, then deletes what succeeded.
 * With {@code ReportBatchItemFailures} only the returned failures stay; without it, or when the invocation fails, the
 * whole batch stays. What stays becomes visible again after the queue's visibility timeout, and the queue's redrive
 * policy moves it to the dead-letter queue after {@code maxReceiveCount} receives. One invocation at a time.
 */
public final class SqsPoller implements AutoCloseable {

    private static final int MAX_PER_RECEIVE = 10;

    private final SqsMapping mapping;
    private final FunctionHost function;
    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final String region;
    private final EventLoop thread;

    public SqsPoller(SqsMapping mapping, FunctionHost function, SqsClient sqs, LocalQueues queues) {
        this.mapping = mapping;
        this.function = function;
        this.sqs = sqs;
        this.queueUrl = queues.queueUrl(mapping.queueId());
        this.queueArn = queues.queueArn(mapping.queueId());
        this.region = queues.region();
        this.thread = new EventLoop("sqs-" + mapping.functionId() + "-" + mapping.eventName(), this::loop);
    }

    public SqsPoller start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (thread.running()) {
            try {
                List<Message> batch = receiveBatch();
                if (!batch.isEmpty() && thread.running()) {
                    deliver(batch);
                }
            } catch (RuntimeException e) {
                if (thread.running()) {
                    System.err.println("sqs poller " + mapping.functionId() + ": " + e + " (retrying in 1 s)");
                    sleep(1000);
                }
            }
        }
    }

    private List<Message> receiveBatch() {
        List<Message> batch = new ArrayList<>(receive(1));
        long windowEnds = System.nanoTime() + mapping.batchingWindowSeconds() * 1_000_000_000L;
        while (thread.running()
                && !batch.isEmpty()
                && batch.size() < mapping.batchSize()
                && System.nanoTime() < windowEnds) {
            List<Message> more = receive(0);
            if (more.isEmpty()) {
                sleep(50);
            }
            batch.addAll(more);
        }
        return batch;
    }

    private List<Message> receive(int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                        .waitTimeSeconds(waitSeconds)
                        .maxNumberOfMessages(Math.min(MAX_PER_RECEIVE, mapping.batchSize()))
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All"))
                .messages();
    }

    void deliver(List<Message> batch) {
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
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message m : batch) {
            if (!failed.contains(m.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder()
                        .id(Integer.toString(done.size()))
                        .receiptHandle(m.receiptHandle())
                        .build());
            }
            if (done.size() == MAX_PER_RECEIVE) {
                delete(done);
                done.clear();
            }
        }
        if (!done.isEmpty()) {
            delete(done);
        }
    }

    private void delete(List<DeleteMessageBatchRequestEntry> entries) {
        List<DeleteMessageBatchRequestEntry> copy = List.copyOf(entries);
        sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(copy));
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
        thread.close();
    }
}
