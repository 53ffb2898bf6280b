package dev.flashsale.local.simulate;

import dev.flashsale.invariants.InvariantReport;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a simulation measured and what the database and Redis say afterwards.
 *
 * @param requests          reservation requests sent (each one ReserveFunction invocation)
 * @param accepted          201 answers (new holds); per second of {@code elapsed}: {@link #acceptedPerSecond()}
 * @param acceptedUnits     units in those holds
 * @param refusedByReason   every other answer by outcome: problem type slug, {@code http-<status>} or {@code error}
 * @param crowdCpu          CPU time this JVM used while the crowd sent (the simulator, and the stack unless it runs
 *                          elsewhere with {@code --url}): on a shared machine a steadier figure than throughput
 * @param timeToSellOut     from the first request to the answer that took the last unit; empty if it did not sell out
 * @param confirmedOrders   orders of this sale in the database once the queue drained (or the drain timed out)
 * @param confirmedUnits    units in those orders
 * @param confirmSpan       from the first order written to the last (database time): the confirm side's working time
 * @param drained           every accepted hold was confirmed before the drain timeout
 * @param confirmationLagP50Ms / confirmationLagMaxMs  order written minus hold created, over the orders
 * @param duplicates        orders beyond one per buyer (each buyer may buy one reservation's worth)
 * @param oversold          units sold beyond the stock
 * @param ticketed          a ticketed sale's queue calls and buyers' final answers; empty for an open sale
 * @param payment           a sale with a payment window: what the buyers paid, cancelled, let expire, and the resale
 */
public record SimulationSummary(
        String saleId,
        int stock,
        int buyers,
        long requests,
        long accepted,
        long acceptedUnits,
        Map<String, Long> refusedByReason,
        Duration elapsed,
        double throughputPerSecond,
        Duration crowdCpu,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        double maxMs,
        Optional<Duration> timeToSellOut,
        long confirmedOrders,
        long confirmedUnits,
        Duration confirmSpan,
        boolean drained,
        double confirmationLagP50Ms,
        double confirmationLagMaxMs,
        long duplicates,
        long oversold,
        InvariantReport invariants,
        Optional<TicketedFigures> ticketed,
        Optional<PaymentFigures> payment) {

    /** available + held + confirmed == stock, no oversell, no duplicates, and nothing else the checker looks for. */
    public boolean invariantsHold() {
        return oversold == 0 && duplicates == 0 && conserved() && invariants.ok();
    }

    /** Units neither lost nor made: available, held, ordered and (between buckets) in transit make the stock. */
    public boolean conserved() {
        return invariants.available() >= 0
                && invariants.available() + invariants.heldUnits() + invariants.orderedUnits() + invariants.inTransit()
                        == invariants.stock();
    }

    /** Holds granted per second of the crowd's sending time. */
    public double acceptedPerSecond() {
        return accepted / Math.max(0.001, elapsed.toNanos() / 1e9);
    }

    /** Orders written per second, from the first to the last (0 with fewer than two). */
    public double confirmedPerSecond() {
        return confirmedOrders < 2 || confirmSpan.isZero() ? 0 : (confirmedOrders - 1) / (confirmSpan.toNanos() / 1e9);
    }

    /** Reservation requests (ReserveFunction invocations) per unit sold: the load a sale puts on the reserve path. */
    public double reservationRequestsPerUnitSold() {
        return acceptedUnits == 0 ? Double.POSITIVE_INFINITY : (double) requests / acceptedUnits;
    }

    /** Every HTTP request the crowd sent: the reservations and, in a ticketed sale, the joins and polls. */
    public long httpRequests() {
        return requests + ticketed.map(t -> t.joins() + t.queuePolls()).orElse(0L);
    }

    /**
     * The sale's stock buckets and each one's units left at the end (as the invariant checker read them); with several,
     * a bucket's allotment is what it ended up with after lending and borrowing.
     */
    private String buckets() {
        StringBuilder s = new StringBuilder(String.format("buckets            %d", invariants.buckets()));
        if (invariants.buckets() > 1) {
            s.append(String.format(
                    "   available per bucket %s (allotted %s, in transit %d)",
                    invariants.perBucket().stream()
                            .map(b -> Long.toString(b.available()))
                            .collect(Collectors.joining(" ")),
                    invariants.perBucket().stream()
                            .map(b -> Long.toString(b.allot()))
                            .collect(Collectors.joining(" ")),
                    invariants.inTransit()));
        }
        return s.append('\n').toString();
    }

    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("flash sale ")
                .append(saleId)
                .append(": ")
                .append(stock)
                .append(" units, ")
                .append(buyers)
                .append(" buyers, ")
                .append(ticketed.isPresent() ? "ticketed" : "open")
                .append('\n');
        ticketed.ifPresent(t -> {
            s.append(String.format(
                    "queue              %d joins, %d polls (%d gate, %d place), %d admitted (%d then sold out)%n",
                    t.joins(), t.queuePolls(), t.gateReads(), t.placeReads(), t.admitted(), t.soldOutWhenAdmitted()));
            s.append(String.format(
                    "final answers      %d of %d buyers (%d held, %d sold out), %d walked away, %d without%n",
                    t.answered(), buyers, t.held(), t.soldOut(), t.walkedAway(), t.unanswered()));
            s.append(String.format(
                    "time to answer     p50 %.3f s  longest %.3f s%n",
                    t.timeToAnswerP50().toMillis() / 1000.0,
                    t.longestTimeToAnswer().toMillis() / 1000.0));
            s.append(String.format(
                    "queue order        latest position held %d, earliest never admitted %s: %s%n",
                    t.latestHeldPosition(),
                    t.earliestNeverAdmitted() == 0 ? "none" : String.valueOf(t.earliestNeverAdmitted()),
                    t.holdsInQueueOrder() ? "holds in queue order" : "OUT OF ORDER"));
        });
        s.append(String.format(
                "requests           %d in %.2f s (%.0f/s)%n",
                requests, elapsed.toMillis() / 1000.0, throughputPerSecond));
        s.append(String.format(
                "accepted           %d (%d units), %.0f reservations/s%n",
                accepted, acceptedUnits, acceptedPerSecond()));
        s.append(String.format(
                "reserve calls      %.2f per unit sold%s%n",
                reservationRequestsPerUnitSold(),
                ticketed.map(t -> " (" + t.retries() + " retries)").orElse("")));
        refusedByReason.forEach((k, v) -> s.append(String.format("refused            %-24s %d%n", k, v)));
        s.append(String.format(
                "latency            p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms%n", p50Ms, p95Ms, p99Ms, maxMs));
        s.append(String.format(
                "CPU (this JVM)     %.2f s while the crowd sent: %.2f ms per request%s%n",
                crowdCpu.toNanos() / 1e9,
                httpRequests() == 0 ? 0 : crowdCpu.toNanos() / 1e6 / httpRequests(),
                ticketed.isPresent() ? " (queue calls included)" : ""));
        s.append("time to sell out   ")
                .append(timeToSellOut
                        .map(d -> String.format("%.3f s", d.toMillis() / 1000.0))
                        .orElse("did not sell out"))
                .append('\n');
        s.append(String.format(
                "confirmed          %d orders, %d units%s, %.0f orders/s (first to last order, %.2f s)%n",
                confirmedOrders,
                confirmedUnits,
                drained ? "" : " (drain TIMED OUT)",
                confirmedPerSecond(),
                confirmSpan.toMillis() / 1000.0));
        s.append(String.format(
                "confirmation lag   p50 %.0f ms  max %.0f ms%n", confirmationLagP50Ms, confirmationLagMaxMs));
        payment.ifPresent(p -> s.append(p.render()));
        s.append(buckets());
        s.append(String.format(
                "invariants         oversold %d, duplicates %d, available %d + held %d + confirmed %d%s %s stock %d%s%n",
                oversold,
                duplicates,
                invariants.available(),
                invariants.heldUnits(),
                invariants.orderedUnits(),
                invariants.buckets() > 1 ? " + in transit " + invariants.inTransit() : "",
                conserved() ? "==" : "!=",
                invariants.stock(),
                invariants.ok() ? "" : ", checker: " + invariants.violations()));
        s.append(invariantsHold() ? "RESULT             OK\n" : "RESULT             INVARIANT VIOLATED\n");
        return s.toString();
    }
}
