package dev.flashsale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.local.LocalTesting;
import dev.flashsale.local.function.FunctionHost;
import dev.flashsale.local.function.InvocationLog;
import dev.flashsale.local.template.SamTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The local SQS event source against a real queue server in process (the in-memory one, read in process as the runner
 * reads it, and ElasticMQ through the SQS API), driving a
 * function hosted as the runner hosts one ({@link RecordingHandler}), from a template written here: batches up to
 * {@code BatchSize}, batch item failures redelivered alone and moved to the DLQ after {@code maxReceiveCount}, and
 * nothing lost or delivered twice across many messages and several concurrent batches.
 */
class SqsPollerTest {

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        RecordingHandler.reset();
    }

    private SamTemplate template(int batchSize, int windowSeconds, int visibilitySeconds, int maxReceiveCount)
            throws Exception {
        Path file = dir.resolve("template.yaml");
        Files.writeString(file, """
                Resources:
                  Work:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: dev.flashsale.local.sqs.RecordingHandler
                      Timeout: 30
                      Events:
                        Batches:
                          Type: SQS
                          Properties:
                            Queue: !GetAtt WorkQueue.Arn
                            BatchSize: %d
                            MaximumBatchingWindowInSeconds: %d
                            FunctionResponseTypes: [ReportBatchItemFailures]
                  WorkQueue:
                    Type: AWS::SQS::Queue
                    Properties:
                      VisibilityTimeout: %d
                      RedrivePolicy:
                        deadLetterTargetArn: !GetAtt WorkDLQ.Arn
                        maxReceiveCount: %d
                  WorkDLQ:
                    Type: AWS::SQS::Queue
                """.formatted(batchSize, windowSeconds, visibilitySeconds, maxReceiveCount));
        return SamTemplate.read(file);
    }

    private static List<FunctionHost> instances(SamTemplate t, int n) {
        List<FunctionHost> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add(FunctionHost.start(t.functions().get("Work"), Map.of(), new InvocationLog(null)));
        }
        return hosts;
    }

    private static void send(QueueServers.Running s, String url, List<String> bodies) {
        for (int i = 0; i < bodies.size(); i += 10) {
            List<String> chunk = bodies.subList(i, Math.min(bodies.size(), i + 10));
            s.sqs()
                    .sendMessageBatch(b -> b.queueUrl(url)
                            .entries(IntStream.range(0, chunk.size())
                                    .mapToObj(j ->
                                            software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry
                                                    .builder()
                                                    .id("e" + j)
                                                    .messageBody(chunk.get(j))
                                                    .build())
                                    .toList()));
        }
    }

    /** The template's one mapping on WorkQueue, read as the runner reads it, with {@code n} function instances. */
    private static SqsPoller poller(SamTemplate t, QueueServers.Running s, LocalQueues queues, int n) {
        return new SqsPoller(t.sqsMappings().get(0), instances(t, n), s.polled(queues.queueUrl("WorkQueue")), queues)
                .start();
    }

    private static long backlog(LocalQueues queues, String id) {
        return queues.backlog(id);
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void deliversBatchesUpToBatchSize(QueueServers kind) throws Exception {
        SamTemplate t = template(10, 1, 30, 5);
        try (QueueServers.Running s = kind.start()) {
            LocalQueues queues = LocalQueues.create(s.sqs(), "us-east-1", "", t);
            // 35 messages waiting before the poller starts
            List<String> bodies = IntStream.range(0, 35).mapToObj(i -> "m" + i).toList();
            send(s, queues.queueUrl("WorkQueue"), bodies);

            try (SqsPoller poller = poller(t, s, queues, 1)) {
                assertThat(LocalTesting.eventually(
                                Duration.ofSeconds(20), () -> delivered().size() == 35))
                        .isTrue();
                assertThat(LocalTesting.eventually(Duration.ofSeconds(10), () -> backlog(queues, "WorkQueue") == 0))
                        .isTrue();
            }
            // batches of at most 10, full ones while the queue held 10 or more, each message once
            assertThat(RecordingHandler.BATCHES)
                    .allSatisfy(b -> assertThat(b.bodies()).hasSizeLessThanOrEqualTo(10));
            assertThat(RecordingHandler.BATCHES.stream().filter(b -> b.bodies().size() == 10))
                    .hasSizeGreaterThanOrEqualTo(3);
            assertThat(delivered()).containsExactlyInAnyOrderElementsOf(bodies);
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void aFailedRecord_isRedeliveredAloneAndEndsInTheDeadLetterQueue(QueueServers kind) throws Exception {
        SamTemplate t = template(10, 1, 1, 3);
        try (QueueServers.Running s = kind.start()) {
            LocalQueues queues = LocalQueues.create(s.sqs(), "us-east-1", "", t);
            List<String> bodies = new ArrayList<>(List.of("poison-1"));
            IntStream.range(0, 9).forEach(i -> bodies.add("good-" + i));
            send(s, queues.queueUrl("WorkQueue"), bodies);

            try (SqsPoller poller = poller(t, s, queues, 1)) {
                // the poison record's 3 receives, then the redrive moves it to the DLQ
                assertThat(LocalTesting.eventually(Duration.ofSeconds(20), () -> backlog(queues, "WorkDLQ") == 1))
                        .isTrue();
                assertThat(backlog(queues, "WorkQueue")).isZero();
            }
            // the good records were delivered once each, then deleted
            assertThat(delivered().stream().filter(b -> b.startsWith("good")))
                    .containsExactlyInAnyOrderElementsOf(bodies.subList(1, 10));
            // the failed one: delivered maxReceiveCount times, after the first time in a batch of its own
            List<RecordingHandler.Batch> withPoison = RecordingHandler.BATCHES.stream()
                    .filter(b -> b.bodies().contains("poison-1"))
                    .toList();
            assertThat(withPoison).hasSize(3);
            assertThat(withPoison.subList(1, 3))
                    .allSatisfy(b -> assertThat(b.bodies()).containsExactly("poison-1"));
            assertThat(withPoison.stream()
                            .map(b -> b.receiveCounts().get(b.bodies().indexOf("poison-1"))))
                    .containsExactly(1, 2, 3);
            String dead = s.sqs()
                    .receiveMessage(b -> b.queueUrl(queues.queueUrl("WorkDLQ")).waitTimeSeconds(1))
                    .messages()
                    .get(0)
                    .body();
            assertThat(dead).isEqualTo("poison-1");
        }
    }

    @ParameterizedTest
    @EnumSource(QueueServers.class)
    void manyMessagesAndConcurrentBatches_nothingLostNothingTwice(QueueServers kind) throws Exception {
        SamTemplate t = template(10, 1, 30, 5);
        try (QueueServers.Running s = kind.start()) {
            LocalQueues queues = LocalQueues.create(s.sqs(), "us-east-1", "", t);
            List<String> bodies =
                    IntStream.range(0, 1500).mapToObj(i -> "n" + i).toList();
            try (SqsPoller poller = poller(t, s, queues, 4)) {
                assertThat(poller.concurrency()).isEqualTo(4);
                // sent while the pollers run, from four senders
                IntStream.range(0, 4)
                        .parallel()
                        .forEach(k -> send(s, queues.queueUrl("WorkQueue"), bodies.subList(k * 375, (k + 1) * 375)));
                assertThat(LocalTesting.eventually(
                                Duration.ofSeconds(60), () -> delivered().size() >= 1500))
                        .isTrue();
                assertThat(LocalTesting.eventually(Duration.ofSeconds(10), () -> backlog(queues, "WorkQueue") == 0))
                        .isTrue();
            }
            assertThat(delivered()).hasSize(1500).containsExactlyInAnyOrderElementsOf(bodies);
            // several instances took batches (one batch at a time each: RecordingHandler throws otherwise)
            assertThat(RecordingHandler.BATCHES.stream()
                            .map(RecordingHandler.Batch::instance)
                            .distinct()
                            .count())
                    .isGreaterThan(1);
            assertThat(RecordingHandler.BATCHES)
                    .allSatisfy(b -> assertThat(b.receiveCounts()).containsOnly(1));
        }
    }

    private static List<String> delivered() {
        List<String> all = new ArrayList<>();
        RecordingHandler.BATCHES.forEach(b -> all.addAll(b.bodies()));
        return all;
    }
}
