package dev.flashsale.queue;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach the confirmation queue.
 *
 * @param queueUrl       {@code CONFIRM_QUEUE_URL}, required
 * @param endpoint       {@code SQS_ENDPOINT}: an SQS-compatible server (ElasticMQ) instead of AWS; empty in AWS
 * @param region         {@code AWS_REGION}; default us-east-1
 * @param connectTimeout {@code SQS_CONNECT_TIMEOUT}; default 1s
 * @param callTimeout    {@code SQS_TIMEOUT}, for a whole send including SDK retries; default 2s
 * @param dummyCredentials send unsigned requests (anonymous credentials): true when an endpoint is set and
 *                       {@code AWS_ACCESS_KEY_ID} is not (a local SQS-compatible server checks no signature)
 */
public record SqsSettings(
        String queueUrl,
        Optional<URI> endpoint,
        String region,
        Duration connectTimeout,
        Duration callTimeout,
        boolean dummyCredentials) {

    public static final Set<String> VARIABLES = Variables.of(
            "CONFIRM_QUEUE_URL",
            "SQS_ENDPOINT",
            "AWS_REGION",
            "SQS_CONNECT_TIMEOUT",
            "SQS_TIMEOUT",
            "AWS_ACCESS_KEY_ID");

    public static SqsSettings from(Config config) {
        boolean keys = config.optional("AWS_ACCESS_KEY_ID").isPresent();
        return new SqsSettings(
                config.required("CONFIRM_QUEUE_URL"),
                config.optional("SQS_ENDPOINT").map(URI::create),
                config.string("AWS_REGION", "us-east-1"),
                config.duration(
                        "SQS_CONNECT_TIMEOUT", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofSeconds(30)),
                config.duration("SQS_TIMEOUT", Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofSeconds(60)),
                config.optional("SQS_ENDPOINT").isPresent() && !keys);
    }
}
