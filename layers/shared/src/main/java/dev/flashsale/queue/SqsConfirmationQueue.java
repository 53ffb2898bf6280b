package dev.flashsale.queue;

import dev.flashsale.net.LazyClient;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.Telemetry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
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
 * <p>A CRaC resource: before a SnapStart snapshot the SQS client is closed (its HTTP client with it) and dropped; after
 * the restore a new one is built (its connection opens on the first send). The circuit breaker is kept across the restore. (Keep-alive sockets of
 * the URL-connection client live in the JDK's own cache, which no client can close; the JDK never reuses one that has
 * been idle longer than its keep-alive time, 5 s unless the server says otherwise, and a restore comes long after.)
 */
public final class SqsConfirmationQueue implements ConfirmationQueue, Resource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqsConfirmationQueue.class);

    private final Supplier<SqsClient> factory;
    private final Function<SdkHttpClient, SqsClient> primingFactory;
    private final String queueUrl;
    private final CircuitBreaker breaker;
    private final Telemetry telemetry;
    private final String queueName;
    private final AtomicLong clientsBuilt = new AtomicLong();
    private final LazyClient<SqsClient> sqs;

    /**
     * @param factory        builds the SQS client, now and again after each restore
     * @param primingFactory builds a client like the real one but over the given HTTP client, for {@link #prime}; may
     *                       be null (then priming skips the offline send)
     * @param breaker        the {@code sqs} breaker ({@link Breakers#sqs})
     * @param telemetry      a producer span per send, whose context travels in the message attributes
     */
    public SqsConfirmationQueue(
            Supplier<SqsClient> factory,
            Function<SdkHttpClient, SqsClient> primingFactory,
            String queueUrl,
            CircuitBreaker breaker,
            Telemetry telemetry) {
        this.factory = factory;
        this.primingFactory = primingFactory;
        this.queueUrl = queueUrl;
        this.breaker = breaker;
        this.telemetry = telemetry;
        this.queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.sqs = new LazyClient<>(this::build, SqsClient::close);
        sqs.get();
        telemetry.watch(breaker);
    }

    /** The queue {@code settings} name, through clients built from them. */
    public static SqsConfirmationQueue create(SqsSettings settings, CircuitBreaker breaker, Telemetry telemetry) {
        return new SqsConfirmationQueue(
                () -> client(settings), http -> client(settings, http), settings.queueUrl(), breaker, telemetry);
    }

    private SqsClient build() {
        clientsBuilt.incrementAndGet();
        return factory.get();
    }

    /** The current SQS client, built again if a checkpoint closed the last one. */
    public SqsClient client() {
        return sqs.get();
    }

    /** How many SQS clients this queue has built (one at construction, one more after each checkpoint that closed one). */
    public long clientsBuilt() {
        return clientsBuilt.get();
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
        return configure(
                SqsClient.builder()
                        .httpClientBuilder(UrlConnectionHttpClient.builder()
                                .connectionTimeout(settings.connectTimeout())
                                .socketTimeout(settings.callTimeout())),
                settings);
    }

    /** The same client over another HTTP client (priming). */
    static SqsClient client(SqsSettings settings, SdkHttpClient http) {
        return configure(SqsClient.builder().httpClient(http), settings);
    }

    private static SqsClient configure(SqsClientBuilder builder, SqsSettings settings) {
        builder.region(Region.of(settings.region()))
                .overrideConfiguration(o -> o.apiCallTimeout(settings.callTimeout()));
        if (settings.endpoint().isPresent()) {
            builder.endpointOverride(settings.endpoint().get());
        }
        if (settings.dummyCredentials()) {
            // A local SQS-compatible server (the local runner's, ElasticMQ) checks no signature: requests go unsigned,
            // which saves the SigV4 work, about a quarter of the SDK's CPU per send. Never in AWS, where SQS_ENDPOINT
            // is not set (and the runtime sets AWS_ACCESS_KEY_ID).
            builder.credentialsProvider(AnonymousCredentialsProvider.create());
        } else {
            // SnapStart functions get container credentials, not key variables: let the default chain find them.
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    /**
     * Sends in a producer span ({@code send <queue>}); the message carries that span's W3C context in its
     * {@code traceparent} / {@code tracestate} attributes, so the confirmation joins the reservation's trace. The
     * message body is unchanged.
     */
    @Override
    public void send(ConfirmationMessage message) {
        if (!telemetry.tracing()) {
            sendNow(message);
            return;
        }
        telemetry.span(
                "send " + queueName,
                SpanKind.PRODUCER,
                Attributes.builder()
                        .put("messaging.system", "aws_sqs")
                        .put("messaging.operation.type", "send")
                        .put("messaging.operation.name", "SendMessage")
                        .put("messaging.destination.name", queueName)
                        .put("flashsale.sale_id", message.saleId())
                        .put("flashsale.reservation_id", message.reservationId())
                        .build(),
                () -> {
                    sendNow(message);
                    return null;
                });
    }

    private void sendNow(ConfirmationMessage message) {
        try {
            String id = Breakers.call(
                    breaker,
                    () -> client().sendMessage(request(message)).messageId(),
                    () -> new QueueUnavailableException("confirmation queue circuit breaker is open", null));
            io.opentelemetry.api.trace.Span.current().setAttribute("messaging.message.id", id);
        } catch (SdkException e) {
            throw new QueueUnavailableException(
                    "confirmation queue did not accept reservation " + message.reservationId(), e);
        }
    }

    private SendMessageRequest request(ConfirmationMessage message) {
        return SendMessageRequest.builder()
                .queueUrl(queueUrl)
                .messageBody(message.toJson())
                .messageAttributes(attributes(message))
                .build();
    }

    private Map<String, MessageAttributeValue> attributes(ConfirmationMessage message) {
        Map<String, MessageAttributeValue> a = new HashMap<>(6);
        a.put(
                "version",
                MessageAttributeValue.builder()
                        .dataType("Number")
                        .stringValue(Integer.toString(message.version()))
                        .build());
        a.put(
                "saleId",
                MessageAttributeValue.builder()
                        .dataType("String")
                        .stringValue(message.saleId())
                        .build());
        telemetry.inject(
                a,
                (carrier, key, value) -> carrier.put(
                        key,
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(value)
                                .build()));
        return a;
    }

    /**
     * Runs the send path without sending anything: a {@code SendMessage} of {@code sample} through a client like the
     * real one over an HTTP client that answers with a canned SQS reply (marshalling, signing, interceptors,
     * unmarshalling and the MD5 checks all run); then the real client reads the queue's ARN ({@code GetQueueAttributes}:
     * the URL-connection HTTP path and the connection). Bypasses the breaker; failures are logged, not thrown.
     */
    @Override
    public void prime(ConfirmationMessage sample) {
        SendMessageRequest request = request(sample);
        if (primingFactory != null) {
            String reply = "{\"MessageId\":\"prime\",\"MD5OfMessageBody\":\"" + SqsMd5.ofBody(request.messageBody())
                    + "\",\"MD5OfMessageAttributes\":\"" + SqsMd5.ofSdkAttributes(request.messageAttributes()) + "\"}";
            try (SqsClient offline = primingFactory.apply(new CannedHttpClient(reply))) {
                offline.sendMessage(request);
            } catch (SdkException e) {
                LOG.warn("priming the send path offline failed: {}", e.toString());
            }
        }
        try {
            client().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN));
        } catch (SdkException e) {
            LOG.warn("priming could not read the confirmation queue's attributes: {}", e.toString());
        }
    }

    @Override
    public void close() {
        sqs.close();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        close();
    }

    /**
     * Builds the new client now (local work only, no network), so that the first request does not pay for it; if that
     * fails, the next send tries again.
     */
    @Override
    public void afterRestore(Context<? extends Resource> context) {
        try {
            client();
        } catch (RuntimeException e) {
            LOG.warn("could not rebuild the SQS client after restore; the next send tries again: {}", e.toString());
        }
    }
}
