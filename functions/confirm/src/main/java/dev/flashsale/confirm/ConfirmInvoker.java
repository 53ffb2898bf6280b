package dev.flashsale.confirm;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.MalformedMessageException;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The ConfirmFunction's Lambda handler (SQS event source with {@code ReportBatchItemFailures}). Each record is
 * confirmed on its own; the response lists only the records that failed, which SQS makes visible again and, after
 * {@code maxReceiveCount}, moves to the DLQ. A malformed message fails only itself. When Redis or the database is
 * unreachable, the rest of the batch is failed without trying (each would wait for the same timeout). Every well-formed
 * record that fails has its reservation parked ({@link ConfirmHandler#park}: claimed for {@code REDRIVE_WINDOW}) unless
 * Redis itself is what failed, so that it stays decidable as an order while its message is redelivered or waits in
 * the DLQ for a redrive.
 */
public final class ConfirmInvoker implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmInvoker.class);

    private final ConfirmHandler handler;
    private final Telemetry telemetry;

    /** Used by the Lambda runtime: the environment's one {@link ConfirmInit}. */
    public ConfirmInvoker() {
        this(ConfirmInit.LAMBDA.get().invoker());
    }

    private ConfirmInvoker(ConfirmInvoker built) {
        this(built.handler, built.telemetry);
    }

    public ConfirmInvoker(ConfirmHandler handler, Telemetry telemetry) {
        this.handler = handler;
        this.telemetry = telemetry;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        DependencyUnavailableException outage = null;
        try {
            for (SQSEvent.SQSMessage record : records) {
                try (Invocation invocation = telemetry.record(record, context, "flashsale.confirmations")) {
                    Result result = confirm(record, invocation, outage);
                    if (outage == null) {
                        outage = result.outage();
                    }
                    if (!result.acknowledged()) {
                        failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                        if (result.parkable()
                                && (outage == null || !outage.dependency().equals("redis"))) {
                            park(record);
                        }
                    }
                }
            }
            if (!failures.isEmpty()) {
                LOG.warn("{} of {} records failed", failures.size(), records.size());
            }
            return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
        } finally {
            telemetry.flush();
        }
    }

    /**
     * @param outage   the dependency failure that ends the batch, when this record met one
     * @param parkable whether the record failed with a well-formed message whose reservation can be parked
     */
    private record Result(boolean acknowledged, DependencyUnavailableException outage, boolean parkable) {
        static final Result OK = new Result(true, null, false);
        static final Result FAILED = new Result(false, null, true);
        static final Result MALFORMED = new Result(false, null, false);
    }

    /** Confirms one record, in its span; a record that is not acknowledged is reported as a batch item failure. */
    private Result confirm(SQSEvent.SQSMessage record, Invocation invocation, DependencyUnavailableException outage) {
        String id = record.getMessageId();
        if (outage != null) {
            invocation.outcome("deferred");
            return Result.FAILED;
        }
        try {
            ConfirmationMessage message = ConfirmationMessage.fromJson(record.getBody());
            invocation
                    .saleId(message.saleId())
                    .reservationId(message.reservationId())
                    .quantity(message.quantity());
            ConfirmOutcome outcome = handler.confirm(message);
            invocation.outcome(Invocation.slug(outcome.name()));
            return Result.OK;
        } catch (MalformedMessageException e) {
            LOG.error(
                    "message {} (receive count {}) is malformed and is left for the DLQ: {}",
                    id,
                    receiveCount(record),
                    e.getMessage());
            invocation.outcome("malformed").level(Level.WARN);
            return Result.MALFORMED;
        } catch (DependencyUnavailableException e) {
            LOG.warn(
                    "message {}: {} unavailable ({}); failing it and the records after it for redelivery",
                    id,
                    e.dependency(),
                    e.getMessage());
            invocation.outcome("unavailable").level(Level.WARN);
            return new Result(false, e, true);
        } catch (RuntimeException e) {
            LOG.error("message {} (receive count {}) failed; it will be redelivered", id, receiveCount(record), e);
            invocation.failed(e);
            return Result.FAILED;
        }
    }

    private void park(SQSEvent.SQSMessage record) {
        try {
            handler.park(ConfirmationMessage.fromJson(record.getBody()));
        } catch (RuntimeException e) {
            LOG.warn(
                    "message {}: could not park its reservation until a redelivery or redrive: {}",
                    record.getMessageId(),
                    e.toString());
        }
    }

    private static String receiveCount(SQSEvent.SQSMessage record) {
        return record.getAttributes() == null
                ? "?"
                : record.getAttributes().getOrDefault("ApproximateReceiveCount", "?");
    }
}
