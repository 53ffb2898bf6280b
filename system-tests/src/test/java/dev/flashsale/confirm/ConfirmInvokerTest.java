package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.flashsale.db.OrderFence;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.net.Ports;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The ConfirmFunction's handler with SQS events: per-record results, partial batch failures, statuses. */
class ConfirmInvokerTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    private static final ConfirmInvoker INVOKER =
            new ConfirmInvoker(new ConfirmHandler(STACK.claims, STACK.fence), Telemetry.noop());

    private static String status(Sale sale, Reservation r) {
        return (String) ReservationView.of(
                        STACK.store.find(new SaleKeys(sale.id()), r.id()).orElseThrow())
                .get("status");
    }

    @Test
    void sampleEvent_isAValidBatch_andUnknownReservationsAreAcknowledged() {
        SQSEvent event = EventLoader.loadSQSEvent("events/sqs/confirm-batch.json");

        assertThat(event.getRecords()).hasSize(2);
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            assertThat(ConfirmationMessage.fromJson(m.getBody()).saleId()).isEqualTo("sample-sale");
        }
        assertThat(INVOKER.handleRequest(event, Lambda.context()).getBatchItemFailures())
                .isEmpty();
    }

    @Test
    void batch_failsOnlyItsMalformedRecords_andConfirmsTheRestOnce() throws Exception {
        Sale sale = STACK.newSale(10, 2, 2);
        Reservation a = STACK.hold(sale.id(), "buyer-a", 1);
        Reservation b = STACK.hold(sale.id(), "buyer-b", 2);
        SQSEvent.SQSMessage good1 = SqsEvents.record(ConfirmationMessage.of(a).toJson());
        SQSEvent.SQSMessage notJson = SqsEvents.record("{not json");
        SQSEvent.SQSMessage version4 =
                SqsEvents.record(ConfirmationMessage.of(b).toJson().replace("\"version\":2", "\"version\":4"));
        SQSEvent.SQSMessage good2 = SqsEvents.record(ConfirmationMessage.of(b).toJson());
        SQSEvent.SQSMessage duplicate =
                SqsEvents.record(ConfirmationMessage.of(a).toJson());

        SQSBatchResponse response = INVOKER.handleRequest(
                SqsEvents.event(List.of(good1, notJson, version4, good2, duplicate)), Lambda.context());

        assertThat(SqsEvents.failedIds(response))
                .containsExactlyInAnyOrder(notJson.getMessageId(), version4.getMessageId());
        assertThat(status(sale, a)).isEqualTo("CONFIRMED");
        assertThat(status(sale, b)).isEqualTo("CONFIRMED");
        var report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), true);
        assertThat(report.violations()).isEmpty();
        assertThat(report.orders()).isEqualTo(2);
        assertThat(report.sold()).isEqualTo(3);
    }

    @Test
    void redisOutage_failsEveryRecordOfTheBatch_fast() {
        Sale sale = STACK.newSale(10, 2, 2);
        Reservation a = STACK.hold(sale.id(), "buyer-a", 1);
        RedisSettings s = RedisSettings.of("redis://127.0.0.1:" + Ports.free());
        try (RedisConnection down = RedisConnection.create(
                s.withTimeouts(Duration.ofMillis(200), Duration.ofMillis(200)).withPoolSize(1))) {
            ConfirmInvoker invoker = new ConfirmInvoker(
                    new ConfirmHandler(
                            new HoldClaims(down, Duration.ofMinutes(1), Duration.ofDays(1)), new OrderFence(STACK.db)),
                    Telemetry.noop());
            List<SQSEvent.SQSMessage> records = List.of(
                    SqsEvents.record(ConfirmationMessage.of(a).toJson()),
                    SqsEvents.record(ConfirmationMessage.of(a).toJson()),
                    SqsEvents.record(ConfirmationMessage.of(a).toJson()));
            long start = System.nanoTime();

            SQSBatchResponse response = invoker.handleRequest(SqsEvents.event(records), Lambda.context());

            assertThat(SqsEvents.failedIds(response)).hasSize(3);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(status(sale, a)).isEqualTo("HELD");
    }

    @Test
    void statusShowsConfirmed_orExpiredForAReleasedHold() throws Exception {
        try (TestStack shortHolds = new TestStack(Duration.ofSeconds(1), Duration.ofMinutes(2))) {
            Sale sale = shortHolds.newSale(10, 2, 2);
            Reservation confirmed = shortHolds.hold(sale.id(), "buyer-a", 1);
            Reservation late = shortHolds.hold(sale.id(), "buyer-b", 1);
            ConfirmHandler handler = new ConfirmHandler(shortHolds.claims, shortHolds.fence);

            assertThat(handler.confirm(ConfirmationMessage.of(confirmed))).isEqualTo(ConfirmOutcome.CONFIRMED);
            Thread.sleep(1_100);
            // the hold's deadline passed before its message was handled: acknowledged, no order
            assertThat(handler.confirm(ConfirmationMessage.of(late))).isEqualTo(ConfirmOutcome.HOLD_EXPIRED);
            ReleaseSummary run = ReleaseFixture.handler(shortHolds, ReleaseFixture.settings(100))
                    .run(List.of(sale.id()), java.time.Instant.now().plusSeconds(30));

            assertThat(run.holdsReleased()).isEqualTo(1);
            assertThat(status(sale, confirmed)).isEqualTo("CONFIRMED");
            assertThat(status(sale, late)).isEqualTo("EXPIRED");
            assertThat(shortHolds
                            .store
                            .find(new SaleKeys(sale.id()), late.id())
                            .orElseThrow()
                            .status())
                    .isEqualTo(ReservationStatus.EXPIRED);
            new InvariantChecker(shortHolds.redis, shortHolds.db).requireOk(sale.id(), true);
            assertThat(shortHolds.available(sale.id())).isEqualTo(9);
        }
    }
}
