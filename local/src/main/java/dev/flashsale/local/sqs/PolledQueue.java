package dev.flashsale.local.sqs;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The queue an SQS event source mapping polls ({@link SqsPoller}): messages received with every system and message
 * attribute, and deleted by receipt handle once the function handled them. In AWS the poller is Lambda's service, not
 * the function, so its cost is not the function's: the runner reads its in-process queue directly
 * ({@link LocalSqsServer#polledQueue}) and polls any other server through the SQS API ({@link ApiPolledQueue}).
 */
public interface PolledQueue {

    /** Up to {@code max} (1..10) messages, waiting up to {@code waitSeconds} for the first. */
    List<Message> receive(int waitSeconds, int max);

    /** @return the receipt handles whose delete was refused, each with the reason (the message will come again) */
    Map<String, String> delete(List<String> receiptHandles);
}
