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
 * The ConfirmFunction's Lambda handler (SQS event source with {@code ReportBatchItemFailures}). The batch is confirmed
 * as a batch ({@link ConfirmHandler#confirmAll}: per sale one claim, one database transaction, one follow-up), and each
 * record keeps its own result; the response lists only the records that failed, which SQS makes visible again and,
 * after {@code maxReceiveCount}, moves to the DLQ. A malformed message fails only itself. When Redis or the database is
 * unreachable, the records of the sales not yet tried are failed without trying (each would wait for the same
 * timeout). Every well-formed record that fails has its reservation parked ({@link ConfirmHandler#park}: claimed for
 * {@code REDRIVE_WINDOW}) unless Redis itself failed in the batch, so that it stays decidable as an order while its
 * message is redelivered or waits in the DLQ for a redrive.
 *
 * <p>Telemetry: a batch of one record is confirmed inside that record's span (the script and database spans are its
 * children). In a larger batch the work is shared by all records, so it runs first, under no record's span, and each
 * record's span, outcome and summary line follow it.
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
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        try {
            Batch batch = new Batch(records);
            if (records.size() == 1) {
                try (Invocation invocation = telemetry.record(records.get(0), context, "flashsale.confirmations")) {
                    batch.confirm(handler);
                    batch.report(0, invocation);
                }
            } else {
                batch.confirm(handler);
                for (int i = 0; i < records.size(); i++) {
                    try (Invocation invocation = telemetry.record(records.get(i), context, "flashsale.confirmations")) {
                        batch.report(i, invocation);
                    }
                }
            }
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            boolean redisFailed = batch.redisFailed();
            for (int i = 0; i < records.size(); i++) {
                if (!batch.acknowledged(i)) {
                    failures.add(
                            new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
                    if (batch.parkable(i) && !redisFailed) {
                        park(records.get(i));
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

    /** The records of one invocation, their messages (null: malformed) and their results. */
    private static final class Batch {
        private final List<SQSEvent.SQSMessage> records;
        private final ConfirmationMessage[] messages;
        private final String[] malformed;
        private final MessageResult[] results;

        Batch(List<SQSEvent.SQSMessage> records) {
            this.records = records;
            this.messages = new ConfirmationMessage[records.size()];
            this.malformed = new String[records.size()];
            this.results = new MessageResult[records.size()];
            for (int i = 0; i < records.size(); i++) {
                try {
                    messages[i] = ConfirmationMessage.fromJson(records.get(i).getBody());
                } catch (MalformedMessageException e) {
                    malformed[i] = e.getMessage();
                }
            }
        }

        void confirm(ConfirmHandler handler) {
            List<ConfirmationMessage> wellFormed = new ArrayList<>();
            for (ConfirmationMessage m : messages) {
                if (m != null) {
                    wellFormed.add(m);
                }
            }
            if (wellFormed.isEmpty()) {
                return;
            }
            List<MessageResult> decided = handler.confirmAll(wellFormed);
            for (int i = 0, next = 0; i < messages.length; i++) {
                if (messages[i] != null) {
                    results[i] = decided.get(next++);
                }
            }
        }

        boolean acknowledged(int i) {
            return results[i] instanceof MessageResult.Acknowledged;
        }

        /** Whether record {@code i} failed with a well-formed message whose reservation can be parked. */
        boolean parkable(int i) {
            return messages[i] != null && !acknowledged(i);
        }

        /** Whether Redis was unavailable for any record: parking needs it. */
        boolean redisFailed() {
            for (MessageResult r : results) {
                DependencyUnavailableException outage = switch (r) {
                    case MessageResult.Failed f when f.cause() instanceof DependencyUnavailableException d -> d;
                    case MessageResult.Deferred d -> d.outage();
                    case null, default -> null;
                };
                if (outage != null && outage.dependency().equals("redis")) {
                    return true;
                }
            }
            return false;
        }

        /** Records record {@code i}'s outcome on its invocation, and logs a failure. */
        void report(int i, Invocation invocation) {
            SQSEvent.SQSMessage record = records.get(i);
            String id = record.getMessageId();
            if (messages[i] == null) {
                LOG.error(
                        "message {} (receive count {}) is malformed and is left for the DLQ: {}",
                        id,
                        receiveCount(record),
                        malformed[i]);
                invocation.outcome("malformed").level(Level.WARN);
                return;
            }
            ConfirmationMessage message = messages[i];
            invocation
                    .saleId(message.saleId())
                    .reservationId(message.reservationId())
                    .quantity(message.quantity());
            switch (results[i]) {
                case MessageResult.Acknowledged a ->
                    invocation.outcome(Invocation.slug(a.outcome().name()));
                case MessageResult.Deferred d -> invocation.outcome("deferred");
                case MessageResult.Failed f
                when f.cause() instanceof DependencyUnavailableException e -> {
                    LOG.warn(
                            "message {}: {} unavailable ({}); failing it and the records not tried after it for "
                                    + "redelivery",
                            id,
                            e.dependency(),
                            e.getMessage());
                    invocation.outcome("unavailable").level(Level.WARN);
                }
                case MessageResult.Failed f -> {
                    LOG.error(
                            "message {} (receive count {}) failed; it will be redelivered",
                            id,
                            receiveCount(record),
                            f.cause());
                    invocation.failed(f.cause());
                }
            }
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
