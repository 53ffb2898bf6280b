package dev.flashsale.local.sqs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** A queue polled through the SQS API (ElasticMQ, or any {@code SQS_ENDPOINT}). */
public final class ApiPolledQueue implements PolledQueue {

    private static final int MAX_PER_DELETE = 10;

    private final SqsClient sqs;
    private final String queueUrl;

    public ApiPolledQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public List<Message> receive(int waitSeconds, int max) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                        .waitTimeSeconds(waitSeconds)
                        .maxNumberOfMessages(max)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All"))
                .messages();
    }

    @Override
    public Map<String, String> delete(List<String> receiptHandles) {
        Map<String, String> refused = new LinkedHashMap<>();
        for (int from = 0; from < receiptHandles.size(); from += MAX_PER_DELETE) {
            List<String> chunk = receiptHandles.subList(from, Math.min(receiptHandles.size(), from + MAX_PER_DELETE));
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .receiptHandle(chunk.get(i))
                        .build());
            }
            DeleteMessageBatchResponse r =
                    sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (r.hasFailed()) {
                r.failed().forEach(f -> refused.put(chunk.get(Integer.parseInt(f.id())), f.code() + " " + f.message()));
            }
        }
        return refused;
    }
}
