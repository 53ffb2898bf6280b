package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.reserve.ReserveHandler;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The whole flow against the real Redis, PostgreSQL and an SQS-compatible queue: buyers race through the
 * ReserveFunction's handler, and the queue is drained through the ConfirmFunction with every message delivered twice,
 * in shuffled order, by concurrent pollers.
 */
class ConfirmEndToEndTest {

    private static final int BUYERS = 2_000;
    private static final int STOCK = 300;
    private static final int POLLERS = 4;

    @Test
    void twoThousandBuyersRaceForThreeHundredUnits_everyMessageTwice_exactlyTheStockIsSold() throws Exception {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(STOCK, 2, 2);
            String reserveQueue = TestQueue.create("confirm-e2e");

            // 1. 2,000 buyers race for 300 units (1 or 2 each) on 32 threads.
            long t0 = System.nanoTime();
            ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();
            try (SqsConfirmationQueue queue = TestQueue.queue(TestQueue.settings(reserveQueue))) {
                ReserveHandler reserve = new ReserveHandler(
                        stack.store,
                        queue,
                        new ExpiringIds(Clock.systemUTC(), Duration.ofSeconds(1)),
                        stack.saleLoader());
                ExecutorService buyers = Executors.newFixedThreadPool(32);
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < BUYERS; i++) {
                    String buyer = "buyer-" + i;
                    int quantity = 1 + (i % 2);
                    done.add(buyers.submit(() -> {
                        ReserveOutcome o =
                                reserve.reserve(new ReserveRequest(sale.id(), buyer, "key-" + buyer, quantity));
                        if (o instanceof ReserveOutcome.Held h) {
                            held.put(h.reservation().id(), h.reservation().quantity());
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                buyers.shutdown();
            }
            long reserveMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(held.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(STOCK);
            assertThat(stack.available(sale.id())).isZero();

            // 2. Every queued message is put on the confirm queue twice, in shuffled order.
            List<Message> queued = TestQueue.drain(reserveQueue);
            assertThat(queued).hasSize(held.size());
            List<String> bodies = new ArrayList<>();
            for (Message m : queued) {
                bodies.add(m.body());
                bodies.add(m.body());
            }
            Collections.shuffle(bodies, new Random(42));
            String confirmQueue =
                    TestQueue.create("confirm-e2e-dup", java.util.Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30"));
            for (int i = 0; i < bodies.size(); i += 10) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int j = i; j < Math.min(i + 10, bodies.size()); j++) {
                    entries.add(SendMessageBatchRequestEntry.builder()
                            .id("m" + j)
                            .messageBody(bodies.get(j))
                            .build());
                }
                assertThat(TestQueue.client()
                                .sendMessageBatch(b -> b.queueUrl(confirmQueue).entries(entries))
                                .failed())
                        .isEmpty();
            }

            // 3. Four pollers (four execution environments) drain it through the ConfirmFunction.
            long t1 = System.nanoTime();
            AtomicInteger delivered = new AtomicInteger();
            Set<String> failed = ConcurrentHashMap.newKeySet();
            ExecutorService pollers = Executors.newFixedThreadPool(POLLERS);
            List<Future<?>> workers = new ArrayList<>();
            for (int p = 0; p < POLLERS; p++) {
                workers.add(pollers.submit(() -> {
                    try (TestStack env = TestStack.create()) {
                        ConfirmInvoker invoker =
                                new ConfirmInvoker(new ConfirmHandler(env.claims, env.fence), Telemetry.noop());
                        int empty = 0;
                        while (empty < 3) {
                            SqsEvents.Poll poll = SqsEvents.poll(confirmQueue, invoker);
                            delivered.addAndGet(poll.received());
                            failed.addAll(poll.failed());
                            empty = poll.received() == 0 ? empty + 1 : 0;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            pollers.shutdown();
            long confirmMs = (System.nanoTime() - t1) / 1_000_000;

            // 4. Exactly the stock is sold, once per reservation, and every unit is accounted for.
            assertThat(failed).isEmpty();
            assertThat(delivered.get()).isEqualTo(2 * held.size());
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations()).isEmpty();
            assertThat(report.orderedUnits()).isEqualTo(STOCK);
            assertThat(report.sold()).isEqualTo(STOCK);
            assertThat(report.orders()).isEqualTo(held.size());
            assertThat(report.count(ReservationStatus.CONFIRMED)).isEqualTo(held.size());
            assertThat(report.available() + report.heldUnits() + report.orderedUnits())
                    .isEqualTo(STOCK);
            System.out.printf(
                    "[e2e] %d buyers reserved in %d ms (%d holds); %d deliveries confirmed in %d ms by %d pollers%n",
                    BUYERS, reserveMs, held.size(), delivered.get(), confirmMs, POLLERS);
        }
    }
}
