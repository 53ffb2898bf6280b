package dev.flashsale.confirm;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.MalformedMessageException;
import dev.flashsale.resilience.DependencyUnavailableException;

/**
 * The ConfirmFunction's Lambda handler (SQS event source with {@code ReportBatchItemFailures}). Each record is
 * confirmed on its own; the response lists only the records that failed, which SQS makes visible again and, after
 * {@code maxReceiveCount}, moves to the DLQ. A malformed message fails only itself. When Redis or the database is
 * unreachable, the rest of the batch is failed without trying (each would wait for the same timeout); during a
 * database outage their holds are still claimed in Redis so that none expires while its message is pending.
 */
public final class ConfirmInvoker implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmInvoker.class);

    private final ConfirmHandler handler;

    /** Used by the Lambda runtime: the environment's one {@link ConfirmInit}. */
    public ConfirmInvoker() {
        this(ConfirmInit.instance().handler());
    }

    public ConfirmInvoker(ConfirmHandler handler) {
        this.handler = handler;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        DependencyUnavailableException outage = null;
        for (SQSEvent.SQSMessage record : records) {
            String id = record.getMessageId();
            if (outage != null) {
                if (outage.dependency().equals("db")) {
                    protect(record);
                }
                failures.add(new SQSBatchResponse.BatchItemFailure(id));
                continue;
            }
            try {
                ConfirmationMessage message = ConfirmationMessage.fromJson(record.getBody());
                ConfirmOutcome outcome = handler.confirm(message);
                if (outcome == ConfirmOutcome.CONFIRMED || outcome == ConfirmOutcome.ALREADY_CONFIRMED) {
                    LOG.debug("message {} reservation {} sale {}: {}", id, message.reservationId(), message.saleId(), outcome);
                } else {
                    LOG.info("message {} reservation {} sale {}: {}", id, message.reservationId(), message.saleId(), outcome);
                }
            } catch (MalformedMessageException e) {
                LOG.error("message {} (receive count {}) is malformed and is left for the DLQ: {}", id, receiveCount(record), e.getMessage());
                failures.add(new SQSBatchResponse.BatchItemFailure(id));
            } catch (DependencyUnavailableException e) {
                LOG.warn("message {}: {} unavailable ({}); failing it and the {} records after it for redelivery", id,
                        e.dependency(), e.getMessage(), records.size() - records.indexOf(record) - 1);
                outage = e;
                failures.add(new SQSBatchResponse.BatchItemFailure(id));
            } catch (RuntimeException e) {
                LOG.error("message {} (receive count {}) failed; it will be redelivered", id, receiveCount(record), e);
                failures.add(new SQSBatchResponse.BatchItemFailure(id));
            }
        }
        if (!failures.isEmpty()) {
            LOG.warn("{} of {} records failed", failures.size(), records.size());
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    private void protect(SQSEvent.SQSMessage record) {
        try {
            handler.protect(ConfirmationMessage.fromJson(record.getBody()));
        } catch (RuntimeException e) {
            LOG.warn("message {}: could not protect its hold during the database outage: {}", record.getMessageId(), e.toString());
        }
    }

    private static String receiveCount(SQSEvent.SQSMessage record) {
        return record.getAttributes() == null ? "?" : record.getAttributes().getOrDefault("ApproximateReceiveCount", "?");
    }
}
