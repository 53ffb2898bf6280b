package dev.flashsale.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transfer journal's entries as lend.lua and accept.lua write them, and what is not one. */
class TransferEntryTest {

    @Test
    void readsALendAndAReceipt() {
        assertThat(TransferEntry.lent("2 5 1795590818656")).contains(new TransferEntry(2, 5, 1795590818656L));
        assertThat(TransferEntry.received("0 3")).contains(new TransferEntry(0, 3, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2 5", "2 5 1 9", "x 5 1", "2 y 1", "-1 5 1", "2 -5 1", "99999999999 5 1"})
    void anythingElseIsNoLend(String text) {
        assertThat(TransferEntry.lent(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "0 3 1", "a 3", "0 b", "-2 3"})
    void anythingElseIsNoReceipt(String text) {
        assertThat(TransferEntry.received(text)).isEmpty();
    }
}
