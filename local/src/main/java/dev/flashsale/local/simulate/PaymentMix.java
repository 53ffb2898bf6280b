package dev.flashsale.local.simulate;

import java.time.Duration;

/**
 * How the buyers of a simulated sale with a payment window behave once their order is confirmed: some never pay (the
 * release job cancels the order at its deadline), some cancel, some pay after the deadline (refunded), the rest pay in
 * time. Later buyers keep trying to buy what comes back and pay in time.
 *
 * @param window          the sale's payment window (1s..1h)
 * @param neverPayPercent buyers who never pay (0..100); default 30
 * @param cancelPercent   buyers who cancel their unpaid order (0..100); default 5
 * @param payLatePercent  buyers who pay after their order was cancelled at the deadline (0..100); default 5
 */
public record PaymentMix(Duration window, int neverPayPercent, int cancelPercent, int payLatePercent) {

    public PaymentMix {
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--payment-window must be between 1s and 1h, was " + window);
        }
        for (int p : new int[] {neverPayPercent, cancelPercent, payLatePercent}) {
            if (p < 0 || p > 100) {
                throw new IllegalArgumentException("payment percentages must be in 0..100, was " + p);
            }
        }
        if (neverPayPercent + cancelPercent + payLatePercent > 100) {
            throw new IllegalArgumentException("--never-pay + --cancel + --pay-late must not exceed 100%");
        }
    }

    public static PaymentMix of(Duration window) {
        return new PaymentMix(window, 30, 5, 5);
    }

    public PaymentMix withNeverPay(int percent) {
        return new PaymentMix(window, percent, cancelPercent, payLatePercent);
    }

    public PaymentMix withCancel(int percent) {
        return new PaymentMix(window, neverPayPercent, percent, payLatePercent);
    }

    public PaymentMix withPayLate(int percent) {
        return new PaymentMix(window, neverPayPercent, cancelPercent, percent);
    }

    /** What one buyer does with their order. */
    enum Fate {
        PAY,
        NEVER_PAY,
        CANCEL,
        PAY_LATE
    }

    Fate fate(int percentile) {
        if (percentile < neverPayPercent) {
            return Fate.NEVER_PAY;
        }
        if (percentile < neverPayPercent + cancelPercent) {
            return Fate.CANCEL;
        }
        if (percentile < neverPayPercent + cancelPercent + payLatePercent) {
            return Fate.PAY_LATE;
        }
        return Fate.PAY;
    }
}
