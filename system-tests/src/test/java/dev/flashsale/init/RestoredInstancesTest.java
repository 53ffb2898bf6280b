package dev.flashsale.init;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.reserve.ReserveInit;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestStack;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Environments restored from one snapshot must not share anything that has to be unique. */
class RestoredInstancesTest {

    /** Same clock tick, same snapshot of the random source: identical ids until afterRestore reseeds. */
    @Test
    void idGenerators_clonedFromOneSnapshot_diverge_onlyAfterRestore() throws Exception {
        Clock frozen = Clock.fixed(Instant.parse("2026-11-27T08:40:00Z"), ZoneOffset.UTC);
        IdGenerator a = new IdGenerator(frozen, snapshotThenFresh());
        IdGenerator b = new IdGenerator(frozen, snapshotThenFresh());
        Hooks hooksA = new Hooks().register(a);
        Hooks hooksB = new Hooks().register(b);
        assertThat(a.next()).as("the clone: same state before restore").isEqualTo(b.next());

        hooksA.beforeCheckpoint();
        hooksB.beforeCheckpoint();
        hooksA.afterRestore();
        hooksB.afterRestore();

        Set<String> fromA = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            fromA.add(a.next());
        }
        for (int i = 0; i < 100; i++) {
            assertThat(fromA).doesNotContain(b.next());
        }
    }

    /** The first source is a deterministic SHA1PRNG with a fixed seed (the state frozen in a snapshot); then real ones. */
    private static java.util.function.Supplier<SecureRandom> snapshotThenFresh() {
        AtomicBoolean first = new AtomicBoolean(true);
        return () -> {
            if (first.getAndSet(false)) {
                try {
                    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
                    r.setSeed(42L);
                    return r;
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new SecureRandom();
        };
    }

    @Test
    void twoRestoredReserveInits_giveDifferentReservationIds() {
        String queueUrl = TestQueue.create("restored");
        ReserveInit[] inits = new ReserveInit[2];
        for (int i = 0; i < 2; i++) {
            Config config = Config.of(TestStack.environment(Map.of(
                    "CONFIRM_QUEUE_URL",
                    queueUrl,
                    "SQS_ENDPOINT",
                    TestQueue.endpoint().toString(),
                    "RATE_LIMIT_BURST",
                    "1000")));
            inits[i] = FunctionInit.start(ReserveInit.from(config));
        }
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(100, 100, 10);
            for (ReserveInit init : inits) {
                init.hooks().beforeCheckpoint();
                init.hooks().afterRestore();
            }

            Set<String> ids = new HashSet<>();
            for (int n = 0; n < 10; n++) {
                for (ReserveInit init : inits) {
                    APIGatewayV2HTTPResponse r = init.invoker()
                            .handleRequest(
                                    HttpApi.reserve(
                                            sale.id(), "buyer-" + n, "key-" + n + "-" + ids.size(), "{\"quantity\":1}"),
                                    Lambda.context());
                    assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(201);
                    ids.add((String) HttpApi.body(r).get("reservationId"));
                }
            }
            assertThat(ids).hasSize(20);
            assertThat(TestQueue.drain(queueUrl)).hasSize(20);
        }
    }
}
