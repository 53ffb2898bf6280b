package dev.flashsale.reservation;

import static dev.flashsale.reservation.ReservationStatus.CANCELLED;
import static dev.flashsale.reservation.ReservationStatus.CLAIMED;
import static dev.flashsale.reservation.ReservationStatus.CONFIRMED;
import static dev.flashsale.reservation.ReservationStatus.EXPIRED;
import static dev.flashsale.reservation.ReservationStatus.HELD;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReservationStatusTest {

    /** The whole state machine, written out independently of the code under test. */
    private static final Map<ReservationStatus, Set<ReservationStatus>> ALLOWED = Map.of(
            HELD, Set.of(CLAIMED, EXPIRED, CANCELLED),
            CLAIMED, Set.of(CONFIRMED, EXPIRED, CANCELLED),
            CONFIRMED, Set.of(CANCELLED),
            EXPIRED, Set.of(),
            CANCELLED, Set.of());

    static Stream<Arguments> allPairs() {
        return Arrays.stream(ReservationStatus.values())
                .flatMap(from -> Arrays.stream(ReservationStatus.values())
                        .map(to -> Arguments.of(from, to, ALLOWED.get(from).contains(to))));
    }

    @ParameterizedTest(name = "{0} -> {1} allowed: {2}")
    @MethodSource("allPairs")
    void canBecome_allowsExactlyTheDocumentedTransitions(
            ReservationStatus from, ReservationStatus to, boolean allowed) {
        assertThat(from.canBecome(to)).isEqualTo(allowed);
        assertThat(from.next().contains(to)).isEqualTo(allowed);
    }

    @Test
    void theTableCoversEveryStatus() {
        assertThat(ALLOWED.keySet()).containsExactlyInAnyOrder(ReservationStatus.values());
    }

    @Test
    void finals_areExactlyThoseWithoutNextStatus() {
        assertThat(Arrays.stream(ReservationStatus.values()).filter(ReservationStatus::isFinal))
                .containsExactlyInAnyOrder(EXPIRED, CANCELLED);
        assertThat(EXPIRED.next()).isEmpty();
        assertThat(CANCELLED.next()).isEmpty();
    }

    @Test
    void holdsStock_whileHeldClaimedOrSold() {
        assertThat(Arrays.stream(ReservationStatus.values()).filter(ReservationStatus::holdsStock))
                .containsExactlyInAnyOrder(HELD, CLAIMED, CONFIRMED);
    }

    @Test
    void next_cannotBeUsedToCorruptTheStateMachine() {
        HELD.next().clear();
        assertThat(HELD.next()).containsExactlyInAnyOrder(CLAIMED, EXPIRED, CANCELLED);
    }
}
