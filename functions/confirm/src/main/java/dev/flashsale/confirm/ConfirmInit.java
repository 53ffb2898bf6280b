package dev.flashsale.confirm;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flashsale.config.Config;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.UnknownSaleException;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.init.PrimeSamples;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.telemetry.Telemetry;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the ConfirmFunction builds once per execution environment, before the SnapStart snapshot: the Redis client,
 * the one database connection, the handler and its invoker. Priming runs the path without changing data.
 */
public final class ConfirmInit extends FunctionInit<ConfirmInvoker> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmInit.class);
    static final Once<ConfirmInit> LAMBDA = perEnvironment(ConfirmInit::from);

    private final HoldClaims claims;
    private final OrderFence fence;
    private final ConfirmHandler handler;

    public ConfirmInit(ConfirmEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        this.claims = new HoldClaims(
                wiring().redis(env.redis()),
                env.lifetimes().claim(),
                env.lifetimes().redriveWindow());
        this.fence = new OrderFence(wiring().db(env.db()));
        this.handler = new ConfirmHandler(claims, fence);
        serve(t -> new ConfirmInvoker(handler, t));
    }

    public static ConfirmInit from(Config config) {
        return build(ConfirmEnvironment.from(config), ConfirmInit::new);
    }

    public ConfirmHandler handler() {
        return handler;
    }

    /**
     * Runs the invocation path once: an SQS batch whose one message names a reservation of the prime sale goes through
     * the invoker, message parsing and the handler to claim.lua, which answers UNKNOWN before it writes anything; then
     * settle.lua for it (UNKNOWN, no change). Then a batch of two such reservations (claim-batch.lua, then each one by
     * one) and settle-batch.lua for one (UNKNOWN, no change). Then the database fence runs a batch for the prime sale: its
     * statements find no sale row, write nothing and refuse it (the same JDBC path, with array parameters, a real batch
     * takes).
     */
    @Override
    protected void primePaths() {
        primeScripts();
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("prime");
        record.setBody(ConfirmationMessage.of(PrimeSamples.reservation()).toJson());
        record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(record));
        SQSBatchResponse answer = quietInvoker().handleRequest(event, primingContext());
        if (!answer.getBatchItemFailures().isEmpty()) {
            LOG.warn(
                    "priming the confirm path failed its message (is Redis reachable at {}?)",
                    redis().settings().redacted());
        }
        Reservation prime = PrimeSamples.reservation();
        SQSEvent.SQSMessage second = new SQSEvent.SQSMessage();
        second.setMessageId("prime-2");
        second.setBody(ConfirmationMessage.of(new Reservation(
                        prime.id() + "-2",
                        prime.saleId(),
                        prime.buyerId(),
                        prime.quantity(),
                        prime.status(),
                        prime.createdAt(),
                        prime.expiresAt(),
                        prime.idempotencyKey() + "-2"))
                .toJson());
        second.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        event.setRecords(List.of(record, second));
        if (!quietInvoker()
                .handleRequest(event, primingContext())
                .getBatchItemFailures()
                .isEmpty()) {
            LOG.warn("priming the batched confirm path failed a message");
        }
        // settle.lua and settle-batch.lua answer UNKNOWN for a reservation that does not exist, before any change
        tryPriming(
                "reach Redis at " + redis().settings().redacted(),
                () -> claims.followAll(
                        new SaleKeys(PrimeSamples.SALE_ID),
                        Map.of(
                                PrimeSamples.RESERVATION_ID,
                                new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false))));
        tryPriming(
                "reach Redis at " + redis().settings().redacted(),
                () -> claims.follow(
                        new SaleKeys(PrimeSamples.SALE_ID),
                        PrimeSamples.RESERVATION_ID,
                        new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false)));
        // the database fence for the prime sale: its insert finds no sale row (nothing written), then the sale lock
        // finds none either and refuses the batch (UnknownSaleException, rolled back): the statements, their array
        // parameters and the transaction run as a real batch's do
        tryDatabase(() -> {
            try {
                fence.confirmAll(PrimeSamples.SALE_ID, List.of(prime));
            } catch (UnknownSaleException expected) {
                // the prime sale is never in the database
            }
        });
    }
}
