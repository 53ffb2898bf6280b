package dev.flashsale.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** SQS events as the Lambda event source mapping builds them, and a pump that plays that role against a real queue. */
public final class SqsEvents {

    private SqsEvents() {}

    public static SQSEvent.SQSMessage record(String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(UUID.randomUUID().toString());
        m.setReceiptHandle("rh-" + m.getMessageId());
        m.setBody(body);
        m.setAttributes(new HashMap<>(java.util.Map.of("ApproximateReceiveCount", "1")));
        m.setEventSource("aws:sqs");
        m.setEventSourceArn("arn:aws:sqs:us-east-1:123456789012:flashsale-confirm");
        m.setAwsRegion("us-east-1");
        return m;
    }

    public static SQSEvent event(List<SQSEvent.SQSMessage> records) {
        SQSEvent e = new SQSEvent();
        e.setRecords(new ArrayList<>(records));
        return e;
    }

    public static SQSEvent fromQueue(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message msg : messages) {
            SQSEvent.SQSMessage m = record(msg.body());
            m.setMessageId(msg.messageId());
            m.setReceiptHandle(msg.receiptHandle());
            String count = msg.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
            m.getAttributes().put("ApproximateReceiveCount", count == null ? "1" : count);
            Map<String, SQSEvent.MessageAttribute> attributes = new HashMap<>();
            msg.messageAttributes().forEach((name, value) -> {
                SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
                a.setDataType(value.dataType());
                a.setStringValue(value.stringValue());
                attributes.put(name, a);
            });
            m.setMessageAttributes(attributes);
            records.add(m);
        }
        return event(records);
    }

    public static Set<String> failedIds(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .collect(Collectors.toSet());
    }

    /**
     * One poll of the event source mapping: receives up to 10 messages, invokes {@code function} with them, and deletes
     * those not reported as failed (failed ones become visible again after the visibility timeout).
     *
     * @return the number of messages received and the ids that failed
     */
    public static Poll poll(String queueUrl, RequestHandler<SQSEvent, SQSBatchResponse> function) {
        List<Message> batch = TestQueue.client()
                .receiveMessage(b -> b.queueUrl(queueUrl)
                        .maxNumberOfMessages(10)
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                        .messageAttributeNames("All")
                        .waitTimeSeconds(0))
                .messages();
        if (batch.isEmpty()) {
            return new Poll(0, Set.of());
        }
        Set<String> failed = failedIds(function.handleRequest(fromQueue(batch), Lambda.context()));
        for (Message m : batch) {
            if (!failed.contains(m.messageId())) {
                TestQueue.client().deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return new Poll(batch.size(), failed);
    }

    public record Poll(int received, Set<String> failed) {}
}
