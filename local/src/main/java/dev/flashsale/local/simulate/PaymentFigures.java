package dev.flashsale.local.simulate;

import java.time.Duration;

/**
 * What the buyers of a sale with a payment window did and what came of it (database counts after the run).
 *
 * @param orders             orders of the first crowd
 * @param paid               their orders PAID
 * @param cancelledByBuyer   cancelled by their buyer
 * @param expired            cancelled at the deadline (never paid, or paid too late)
 * @param paidAfterCancel    paid after the cancellation: to refund
 * @param unitsReturned      units of cancelled orders (back on sale)
 * @param laterBuyers        buyers who came for what was returned
 * @param unitsResold        units those later buyers got
 * @param lastResaleAfterDeadline the last later buyer's hold, after the first crowd's last payment deadline (negative:
 *                           before it); empty when nothing was resold
 * @param availableAtEnd     units available in Redis at the end
 */
public record PaymentFigures(
        long orders,
        long paid,
        long cancelledByBuyer,
        long expired,
        long paidAfterCancel,
        long unitsReturned,
        int laterBuyers,
        long unitsResold,
        java.util.Optional<Duration> lastResaleAfterDeadline,
        long availableAtEnd) {

    String render() {
        return String.format(
                "payment            %d orders: %d paid, %d cancelled by the buyer, %d expired unpaid, %d paid after cancel (refund)%n"
                        + "resale             %d units returned, %d resold to %d later buyers, %s, %d left%n",
                orders,
                paid,
                cancelledByBuyer,
                expired,
                paidAfterCancel,
                unitsReturned,
                unitsResold,
                laterBuyers,
                lastResaleAfterDeadline
                        .map(d -> String.format("last %.1f s after the last deadline", d.toMillis() / 1000.0))
                        .orElse("none resold"),
                availableAtEnd);
    }
}
