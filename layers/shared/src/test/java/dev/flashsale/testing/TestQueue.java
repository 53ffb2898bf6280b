package dev.flashsale.testing;

import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.queue.SqsSettings;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.Telemetry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS-compatible server for tests: ElasticMQ in process on a free loopback port, started once per test JVM,
 * reached through the same SDK v2 client code the functions use.
 */
public final class TestQueue {

    private static final SQSRestServer SERVER =
            SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    private static final URI ENDPOINT = URI.create(
            "http://127.0.0.1:" + SERVER.waitUntilStarted().localAddress().getPort());
    private static final SqsClient CLIENT = SqsConfirmationQueue.client(settings("unused"));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SERVER::stopAndWait));
    }

    private TestQueue() {}

    public static URI endpoint() {
        return ENDPOINT;
    }

    public static SqsSettings settings(String queueUrl) {
        return new SqsSettings(
                queueUrl, Optional.of(ENDPOINT), "us-east-1", Duration.ofSeconds(1), Duration.ofSeconds(5), true);
    }

    /** The confirmation queue {@code settings} name, with a default breaker and no telemetry. */
    public static SqsConfirmationQueue queue(SqsSettings settings) {
        return SqsConfirmationQueue.create(
                settings, Breakers.sqs(BreakerSettings.ofDefaults(Duration.ofSeconds(1))), Telemetry.noop());
    }

    public static SqsClient client() {
        return CLIENT;
    }

    /** A new standard queue with a unique name; returns its URL. */
    public static String create(String prefix) {
        return create(prefix, Map.of());
    }

    public static String create(String prefix, Map<QueueAttributeName, String> attributes) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return CLIENT.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    /** Receives and deletes every message currently in the queue. */
    public static List<Message> drain(String queueUrl) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = CLIENT.receiveMessage(b -> b.queueUrl(queueUrl)
                            .maxNumberOfMessages(10)
                            .messageAttributeNames("All")
                            .waitTimeSeconds(0))
                    .messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            for (Message m : batch) {
                CLIENT.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }
}
