package dev.flashsale.local.template;

/** What the template's resources are called on this machine: the queues' local URLs, ARNs and names. */
public interface LocalResources {

    String ACCOUNT_ID = "000000000000";
    String STACK_NAME = "flashsale-local";

    String region();

    String queueName(String logicalId);

    String queueUrl(String logicalId);

    default String queueArn(String logicalId) {
        return "arn:aws:sqs:" + region() + ":" + ACCOUNT_ID + ":" + queueName(logicalId);
    }
}
