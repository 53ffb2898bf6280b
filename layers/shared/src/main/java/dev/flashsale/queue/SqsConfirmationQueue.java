package dev.flashsale.queue;

import java.util.Map;

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

    public SqsConfirmationQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public static SqsConfirmationQueue create(SqsSettings settings) {
        return new SqsConfirmationQueue(client(settings), settings.queueUrl());
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
        try {
            sqs.sendMessage(SendMessageRequest.builder()
                    .queueUrl(queueUrl)
                    .messageBody(message.toJson())
                    .messageAttributes(Map.of(
                            "version", MessageAttributeValue.builder().dataType("Number").stringValue(Integer.toString(ConfirmationMessage.VERSION)).build(),
                            "saleId", MessageAttributeValue.builder().dataType("String").stringValue(message.saleId()).build()))
                    .build());
        } catch (SdkException e) {
            throw new QueueUnavailableException("confirmation queue did not accept reservation " + message.reservationId(), e);
        }
    }

    @Override
    public void close() {
        sqs.close();
    }
}
