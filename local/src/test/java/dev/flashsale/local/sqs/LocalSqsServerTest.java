package dev.flashsale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The queue semantics the local stack relies on, through the SDK client the functions use (which checks the MD5
 * digests of what it sends and receives), against the in-memory server and against ElasticMQ: the same test passing on
 * both is the evidence that the in-memory server behaves as the emulator it replaced.
 */
class LocalSqsServerTest {

    private static String queue(SqsClient sqs, String name, Map<QueueAttributeName, String> attributes) {
        return sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    private static List<Message> receive(SqsClient sqs, String url, int max, int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(url)
                        .maxNumberOfMessages(max)
                        .waitTimeSeconds(waitSeconds)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All"))
                .messages();
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void sendAndReceive_carryBodyAttributesAndCounters(QueueServers kind) throws Exception {
        try (QueueServers.Running s = kind.start()) {
            String url = queue(s.sqs(), "plain", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30"));

            // a message with string, number and binary attributes (the SDK checks both MD5 digests of the reply)
            s.sqs()
                    .sendMessage(b -> b.queueUrl(url)
                            .messageBody("{\"v\":2,\"é\":\"ü\"}")
                            .messageAttributes(Map.of(
                                    "saleId",
                                            MessageAttributeValue.builder()
                                                    .dataType("String")
                                                    .stringValue("sale-1")
                                                    .build(),
                                    "version",
                                            MessageAttributeValue.builder()
                                                    .dataType("Number")
                                                    .stringValue("2")
                                                    .build(),
                                    "blob",
                                            MessageAttributeValue.builder()
                                                    .dataType("Binary")
                                                    .binaryValue(SdkBytes.fromByteArray(new byte[] {1, 2, 3}))
                                                    .build())));

            // received with every attribute, digests checked again by the SDK
            List<Message> got = receive(s.sqs(), url, 10, 0);
            assertThat(got).hasSize(1);
            Message m = got.get(0);
            assertThat(m.body()).isEqualTo("{\"v\":2,\"é\":\"ü\"}");
            assertThat(m.messageAttributes().get("saleId").stringValue()).isEqualTo("sale-1");
            assertThat(m.messageAttributes().get("version").dataType()).isEqualTo("Number");
            assertThat(m.messageAttributes().get("blob").binaryValue().asByteArray())
                    .containsExactly(1, 2, 3);
            assertThat(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .isEqualTo("1");
            assertThat(m.attributes()).containsKey(MessageSystemAttributeName.SENT_TIMESTAMP);

            // in flight: invisible, counted as not visible
            assertThat(receive(s.sqs(), url, 10, 0)).isEmpty();
            Map<QueueAttributeName, String> a = s.sqs()
                    .getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                    .attributes();
            assertThat(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
            assertThat(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .isEqualTo("1");
            assertThat(a.get(QueueAttributeName.QUEUE_ARN)).endsWith(":plain");

            // deleted: gone
            s.sqs().deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
            a = s.sqs()
                    .getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                    .attributes();
            assertThat(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .isEqualTo("0");
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void visibilityTimeout_bringsAMessageBackWithANewHandle(QueueServers kind) throws Exception {
        try (QueueServers.Running s = kind.start()) {
            String url = queue(s.sqs(), "vis", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1"));
            s.sqs().sendMessage(b -> b.queueUrl(url).messageBody("m"));

            Message first = receive(s.sqs(), url, 1, 0).get(0);
            // after the 1 s visibility timeout it is back, received a second time
            Message second = receive(s.sqs(), url, 1, 5).get(0);
            assertThat(second.messageId()).isEqualTo(first.messageId());
            assertThat(second.receiptHandle()).isNotEqualTo(first.receiptHandle());
            assertThat(second.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .isEqualTo("2");

            // a visibility change to 0 makes it visible at once
            s.sqs()
                    .changeMessageVisibility(b -> b.queueUrl(url)
                            .receiptHandle(second.receiptHandle())
                            .visibilityTimeout(0));
            Message third = receive(s.sqs(), url, 1, 0).get(0);
            assertThat(third.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .isEqualTo("3");
            s.sqs().deleteMessage(b -> b.queueUrl(url).receiptHandle(third.receiptHandle()));
            assertThat(receive(s.sqs(), url, 1, 2)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void redrivePolicy_movesAMessageToTheDeadLetterQueueAfterMaxReceiveCount(QueueServers kind) throws Exception {
        try (QueueServers.Running s = kind.start()) {
            String dlq = queue(s.sqs(), "dead", Map.of());
            String arn = s.sqs()
                    .getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes()
                    .get(QueueAttributeName.QUEUE_ARN);
            String url = queue(
                    s.sqs(),
                    "work",
                    Map.of(
                            QueueAttributeName.VISIBILITY_TIMEOUT,
                            "1",
                            QueueAttributeName.REDRIVE_POLICY,
                            "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"2\"}"));
            s.sqs().sendMessage(b -> b.queueUrl(url).messageBody("poison"));

            // received twice, never deleted
            assertThat(receive(s.sqs(), url, 1, 0)).hasSize(1);
            assertThat(receive(s.sqs(), url, 1, 5)).hasSize(1);
            // the third receive finds it gone to the dead-letter queue
            assertThat(receive(s.sqs(), url, 1, 3)).isEmpty();
            List<Message> dead = receive(s.sqs(), dlq, 1, 2);
            assertThat(dead).extracting(Message::body).containsExactly("poison");
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void longPoll_returnsAsSoonAsAMessageArrives(QueueServers kind) throws Exception {
        try (QueueServers.Running s = kind.start()) {
            String url = queue(s.sqs(), "long", Map.of());
            CompletableFuture<List<Message>> poll = CompletableFuture.supplyAsync(() -> receive(s.sqs(), url, 10, 10));
            Thread.sleep(300);
            long t0 = System.nanoTime();
            s.sqs().sendMessage(b -> b.queueUrl(url).messageBody("late"));
            assertThat(poll.get(5, TimeUnit.SECONDS)).extracting(Message::body).containsExactly("late");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void batches_answerPerEntry(QueueServers kind) throws Exception {
        try (QueueServers.Running s = kind.start()) {
            String url = queue(s.sqs(), "batch", Map.of());
            s.sqs()
                    .sendMessageBatch(b -> b.queueUrl(url)
                            .entries(
                                    e -> e.id("a").messageBody("1"),
                                    e -> e.id("b").messageBody("2"),
                                    e -> e.id("c").messageBody("3")));
            List<Message> got = receive(s.sqs(), url, 10, 1);
            assertThat(got).extracting(Message::body).containsExactlyInAnyOrder("1", "2", "3");

            DeleteMessageBatchResponse r = s.sqs()
                    .deleteMessageBatch(b -> b.queueUrl(url)
                            .entries(
                                    e -> e.id("0").receiptHandle(got.get(0).receiptHandle()),
                                    e -> e.id("1").receiptHandle("not-a-handle")));
            assertThat(r.successful()).extracting(e -> e.id()).containsExactly("0");
            assertThat(r.failed()).extracting(e -> e.id()).containsExactly("1");
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void unknownQueue_isQueueDoesNotExist(QueueServers kind) throws Exception {
        try (QueueServers.Running s = kind.start()) {
            String url = s.endpoint() + "/000000000000/missing";
            assertThatThrownBy(() -> s.sqs().sendMessage(b -> b.queueUrl(url).messageBody("x")))
                    .isInstanceOf(QueueDoesNotExistException.class);
        }
    }
}
