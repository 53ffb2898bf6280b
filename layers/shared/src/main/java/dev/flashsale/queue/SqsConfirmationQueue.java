package dev.flashsale.queue;

import dev.flashsale.telemetry.Telemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.util.HashMap;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** The confirmation queue on SQS (or an SQS-compatible server), through the SDK v2 with the URL-connection client. */
public final class SqsConfirmationQueue implements ConfirmationQueue, AutoCloseable {

    private final SqsClient sqs;
    private final String queueUrl;
    private final CircuitBreaker breaker;
    private final Telemetry telemetry;
    private final String queueName;

    public SqsConfirmationQueue(SqsClient sqs, String queueUrl, CircuitBreaker breaker) {
        this(sqs, queueUrl, breaker, Telemetry.noop());
    }

    /** @param telemetry a producer span per send, whose context travels in the message attributes */
    public SqsConfirmationQueue(SqsClient sqs, String queueUrl, CircuitBreaker breaker, Telemetry telemetry) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.breaker = breaker;
        this.telemetry = telemetry;
        this.queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        telemetry.watch(breaker);
    }

    /** With a breaker of default settings. */
    public static SqsConfirmationQueue create(SqsSettings settings) {
        return new SqsConfirmationQueue(client(settings), settings.queueUrl(), breaker(BreakerSettings.ofDefaults(Duration.ofSeconds(1))));
    }

    /** Settings from {@code CONFIRM_QUEUE_URL}, {@code SQS_*}, and the breaker from {@code BREAKER_SQS_*} / {@code BREAKER_*}. */
    public static SqsConfirmationQueue fromConfig(Config config) {
        return fromConfig(config, Telemetry.noop());
    }

    public static SqsConfirmationQueue fromConfig(Config config, Telemetry telemetry) {
        SqsSettings settings = SqsSettings.from(config);
        return new SqsConfirmationQueue(client(settings), settings.queueUrl(), breaker(BreakerSettings.from(config, "sqs", Duration.ofSeconds(1))),
                telemetry);
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
        telemetry.span("send " + queueName, SpanKind.PRODUCER, Attributes.builder()
                .put("messaging.system", "aws_sqs").put("messaging.operation.type", "send")
                .put("messaging.operation.name", "SendMessage").put("messaging.destination.name", queueName)
                .put("flashsale.sale_id", message.saleId()).put("flashsale.reservation_id", message.reservationId()).build(), () -> {
                    sendNow(message);
                    return null;
                });
    }

    private void sendNow(ConfirmationMessage message) {
        if (!breaker.tryAcquirePermission()) {
            throw new QueueUnavailableException("confirmation queue circuit breaker is open", null);
        }
        long start = System.nanoTime();
        try {
            String id = sqs.sendMessage(SendMessageRequest.builder()
                    .queueUrl(queueUrl)
                    .messageBody(message.toJson())
                    .messageAttributes(attributes(message))
                    .build()).messageId();
            io.opentelemetry.api.trace.Span.current().setAttribute("messaging.message.id", id);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (SdkException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw new QueueUnavailableException("confirmation queue did not accept reservation " + message.reservationId(), e);
        }
    }

    private Map<String, MessageAttributeValue> attributes(ConfirmationMessage message) {
        Map<String, MessageAttributeValue> a = new HashMap<>(6);
        a.put("version", MessageAttributeValue.builder().dataType("Number").stringValue(Integer.toString(ConfirmationMessage.VERSION)).build());
        a.put("saleId", MessageAttributeValue.builder().dataType("String").stringValue(message.saleId()).build());
        telemetry.inject(a, (carrier, key, value) ->
                carrier.put(key, MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
        return a;
    }

    @Override
    public void close() {
        sqs.close();
    }
}
