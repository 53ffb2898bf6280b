package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ConfirmFunction as the runtime builds it: from environment variables, primed, then confirming. */
class ConfirmInitTest {

    @Test
    void init_fromEnvironment_primesWithoutWriting_andConfirms() {
        ConfirmInit init =
                FunctionInit.start(ConfirmInit.from(Config.of(TestStack.environment(Map.of("CLAIM_TTL", "30s")))));
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(3, 1, 1);
            Reservation r = stack.hold(sale.id(), "b1", 1);

            assertThat(init.handler().confirm(ConfirmationMessage.of(r))).isEqualTo(ConfirmOutcome.CONFIRMED);
            new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), true);
        }
    }

    @Test
    void init_refusesABadDatabaseUrlOrClaimTtl_byName() {
        assertThatThrownBy(() -> ConfirmInit.from(Config.of(Map.of("DATABASE_URL", "postgres://h/db"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("DATABASE_URL must start with jdbc:postgresql://");
        assertThatThrownBy(() -> ConfirmInit.from(Config.of(Map.of("CLAIM_TTL", "500ms"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CLAIM_TTL");
    }
}
