package dev.flashsale.sale;

import java.time.Instant;

/** Where a sale stands for a buyer. */
public enum SalePhase {
    UPCOMING,
    LIVE,
    SOLD_OUT,
    ENDED;

    /** @param remaining units available now */
    public static SalePhase of(Instant startsAt, Instant endsAt, long remaining, Instant now) {
        if (now.isBefore(startsAt)) {
            return UPCOMING;
        }
        if (!now.isBefore(endsAt)) {
            return ENDED;
        }
        return remaining <= 0 ? SOLD_OUT : LIVE;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
