package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReservationIdsTest {

    @Test
    void theSameRequest_alwaysNamesTheSameReservation() {
        assertThat(ReservationIds.of("sale-1", "buyer-1", "key-1"))
                .isEqualTo(ReservationIds.of("sale-1", "buyer-1", "key-1"));
    }

    @Test
    void anyDifferentPart_namesAnotherReservation() {
        String id = ReservationIds.of("sale-1", "buyer-1", "key-1");
        assertThat(ReservationIds.of("sale-2", "buyer-1", "key-1")).isNotEqualTo(id);
        assertThat(ReservationIds.of("sale-1", "buyer-2", "key-1")).isNotEqualTo(id);
        assertThat(ReservationIds.of("sale-1", "buyer-1", "key-2")).isNotEqualTo(id);
        // the separator cannot be forged by moving characters between parts
        assertThat(ReservationIds.of("sale-1", "buyer-1k", "ey-1")).isNotEqualTo(id);
    }

    @Test
    void ids_are26CrockfordCharacters_andDoNotCollideInPractice() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = ReservationIds.of("sale", "buyer-" + (i % 100), "key-" + i);
            assertThat(id).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
            seen.add(id);
        }
        assertThat(seen).hasSize(20_000);
    }
}
