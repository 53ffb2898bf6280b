package dev.flashsale.local.sqs;

import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.queue.SqsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The two SQS servers the local runner can run in process, so that a test of queue semantics runs against both: the
 * in-memory one (the default) and ElasticMQ (the reference it replaced, {@code LOCAL_SQS=elasticmq}).
 */
enum QueueServers {
    MEMORY,
    ELASTICMQ;

    /** A started server and a client to it (the SDK client the functions build), closed together. */
    record Running(URI endpoint, SqsClient sqs, AutoCloseable server) implements AutoCloseable {
        /** The queue as the runner's poller reads it: in process from the in-memory server, else through the API. */
        PolledQueue polled(String queueUrl) {
            return server instanceof LocalSqsServer s ? s.polledQueue(queueUrl) : new ApiPolledQueue(sqs, queueUrl);
        }

        @Override
        public void close() throws Exception {
            sqs.close();
            server.close();
        }
    }

    Running start() {
        URI endpoint;
        AutoCloseable stop;
        if (this == MEMORY) {
            try {
                LocalSqsServer s = LocalSqsServer.start("us-east-1");
                endpoint = s.endpoint();
                stop = s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            SQSRestServer s = SQSRestServerBuilder.withInterface("127.0.0.1")
                    .withDynamicPort()
                    .start();
            endpoint = URI.create(
                    "http://127.0.0.1:" + s.waitUntilStarted().localAddress().getPort());
            stop = () -> s.stopAndGetFuture();
        }
        SqsClient sqs = SqsConfirmationQueue.client(new SqsSettings(
                "unused", Optional.of(endpoint), "us-east-1", Duration.ofSeconds(2), Duration.ofSeconds(30), true));
        return new Running(endpoint, sqs, stop);
    }
}
