package dev.flashsale.local.sqs;

import dev.flashsale.local.template.LocalResources;
import dev.flashsale.local.template.SamTemplate;
import dev.flashsale.local.template.SamTemplate.QueueSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The template's queues on the local SQS endpoint, named after their logical ids (with an optional prefix), created
 * with the template's {@code VisibilityTimeout} and {@code RedrivePolicy} (dead-letter queue and
 * {@code maxReceiveCount}), dead-letter queues first.
 */
public final class LocalQueues implements LocalResources {

    private final SqsClient sqs;
    private final String region;
    private final String prefix;
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, Integer> visibilityTimeouts = new LinkedHashMap<>();

    private LocalQueues(SqsClient sqs, String region, String prefix) {
        this.sqs = sqs;
        this.region = region;
        this.prefix = prefix;
    }

    public static LocalQueues create(SqsClient sqs, String region, String prefix, SamTemplate template) {
        LocalQueues q = new LocalQueues(sqs, region, prefix);
        for (QueueSpec spec : template.queues().values()) {
            q.createWithDeadLetterFirst(spec, template, 0);
        }
        return q;
    }

    private void createWithDeadLetterFirst(QueueSpec spec, SamTemplate template, int depth) {
        if (urls.containsKey(spec.logicalId())) {
            return;
        }
        if (depth > template.queues().size()) {
            throw new IllegalStateException("the template's dead-letter queues form a cycle at " + spec.logicalId());
        }
        Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(spec.visibilityTimeoutSeconds()));
        if (spec.deadLetterQueueId().isPresent()) {
            String dlq = spec.deadLetterQueueId().get();
            createWithDeadLetterFirst(template.queues().get(dlq), template, depth + 1);
            attributes.put(
                    QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + queueArn(dlq) + "\",\"maxReceiveCount\":\"" + spec.maxReceiveCount()
                            + "\"}");
        }
        String url = sqs.createQueue(
                        b -> b.queueName(queueName(spec.logicalId())).attributes(attributes))
                .queueUrl();
        urls.put(spec.logicalId(), url);
        visibilityTimeouts.put(spec.logicalId(), spec.visibilityTimeoutSeconds());
    }

    /** The queue's {@code VisibilityTimeout} as the template sets it. */
    public int visibilityTimeoutSeconds(String logicalId) {
        queueUrl(logicalId);
        return visibilityTimeouts.get(logicalId);
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public String queueName(String logicalId) {
        return prefix + logicalId;
    }

    @Override
    public String queueUrl(String logicalId) {
        String url = urls.get(logicalId);
        if (url == null) {
            throw new IllegalArgumentException("no local queue for " + logicalId);
        }
        return url;
    }

    public Map<String, String> urls() {
        return Map.copyOf(urls);
    }

    /** Messages waiting or in flight, from the queue's approximate counters. */
    public long backlog(String logicalId) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl(logicalId))
                        .attributeNames(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes();
        return a.values().stream().mapToLong(Long::parseLong).sum();
    }
}
