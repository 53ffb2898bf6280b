package dev.flashsale.queue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import dev.flashsale.config.Config;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The confirmation queue on SQS (or an SQS-compatible server), through the SDK v2 with the URL-connection client.
 *
 * <p>A CRaC resource: before a SnapStart snapshot the SQS client is closed (its HTTP client with it) and dropped; the
 * first send after the restore builds a new one. The circuit breaker is kept across the restore. (Keep-alive sockets of
 * the URL-connection client live in the JDK's own cache, which no client can close; the JDK never reuses one that has
 * been idle longer than its keep-alive time, 5 s unless the server says otherwise, and a restore comes long after.)
 */
public final class SqsConfirmationQueue implements ConfirmationQueue, Resource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqsConfirmationQueue.class);

    private final Supplier<SqsClient> factory;
    private final String queueUrl;
    private final CircuitBreaker breaker;
    private final AtomicLong clientsBuilt = new AtomicLong();
    private volatile SqsClient sqs;

    /** @param factory builds the SQS client, now and again after each restore */
    public SqsConfirmationQueue(Supplier<SqsClient> factory, String queueUrl, CircuitBreaker breaker) {
        this.factory = factory;
        this.queueUrl = queueUrl;
        this.breaker = breaker;
        this.sqs = build();
    }

    /** With a breaker of default settings. */
    public static SqsConfirmationQueue create(SqsSettings settings) {
        return new SqsConfirmationQueue(() -> client(settings), settings.queueUrl(), breaker(BreakerSettings.ofDefaults(Duration.ofSeconds(1))));
    }

    /** Settings from {@code CONFIRM_QUEUE_URL}, {@code SQS_*}, and the breaker from {@code BREAKER_SQS_*} / {@code BREAKER_*}. */
    public static SqsConfirmationQueue fromConfig(Config config) {
        SqsSettings settings = SqsSettings.from(config);
        return new SqsConfirmationQueue(() -> client(settings), settings.queueUrl(), breaker(BreakerSettings.from(config, "sqs", Duration.ofSeconds(1))));
    }

    private SqsClient build() {
        clientsBuilt.incrementAndGet();
        return factory.get();
    }

    /** The current SQS client, built again if a checkpoint closed the last one. */
    public SqsClient client() {
        SqsClient c = sqs;
        if (c == null) {
            synchronized (this) {
                c = sqs;
                if (c == null) {
                    c = build();
                    sqs = c;
                }
            }
        }
        return c;
    }

    /** How many SQS clients this queue has built (one at construction, one more after each checkpoint that closed one). */
    public long clientsBuilt() {
        return clientsBuilt.get();
    }

    private static CircuitBreaker breaker(BreakerSettings settings) {
        return Breakers.create("sqs", settings, e -> e instanceof SdkException);
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public boolean accepting() {
        return Breakers.permitsCalls(breaker);
    }

    /**
     * An SQS client with the lightweight URL-connection HTTP client.
     */
    public static SqsClient client(SqsSettings settings) {
        SqsClientBuilder builder = SqsClient.builder()
                .region(Region.of(settings.region()))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .socketTimeout(settings.callTimeout()))
                .overrideConfiguration(o -> o.apiCallTimeout(settings.callTimeout()));
        if (settings.endpoint().isPresent()) {
            builder.endpointOverride(settings.endpoint().get());
        }
        if (settings.dummyCredentials()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        } else {
            // SnapStart functions get container credentials, not key variables: let the default chain find them.
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    @Override
    public void send(ConfirmationMessage message) {
        if (!breaker.tryAcquirePermission()) {
            throw new QueueUnavailableException("confirmation queue circuit breaker is open", null);
        }
        long start = System.nanoTime();
        try {
            client().sendMessage(request(message));
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (SdkException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw new QueueUnavailableException("confirmation queue did not accept reservation " + message.reservationId(), e);
        }
    }

    private SendMessageRequest request(ConfirmationMessage message) {
        return SendMessageRequest.builder()
                .queueUrl(queueUrl)
                .messageBody(message.toJson())
                .messageAttributes(Map.of(
                        "version", MessageAttributeValue.builder().dataType("Number").stringValue(Integer.toString(ConfirmationMessage.VERSION)).build(),
                        "saleId", MessageAttributeValue.builder().dataType("String").stringValue(message.saleId()).build()))
                .build();
    }

    /**
     * Loads the send path's classes without sending anything: builds a send request for {@code sample}, and reads the
     * queue's ARN ({@code GetQueueAttributes}: the same signing, HTTP and JSON protocol code as a send, and the
     * connection). Bypasses the breaker; a failure is logged, not thrown.
     */
    @Override
    public void prime(ConfirmationMessage sample) {
        request(sample);
        try {
            client().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN));
        } catch (SdkException e) {
            LOG.warn("priming could not read the confirmation queue's attributes: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        SqsClient c = sqs;
        sqs = null;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        close();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // rebuilt by the next send
    }
}
