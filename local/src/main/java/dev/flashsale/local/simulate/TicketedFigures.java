package dev.flashsale.local.simulate;

import java.time.Duration;

/**
 * What the crowd of a ticketed sale did besides reserving, and how each buyer's story ended.
 *
 * @param joins                 queue joins sent ({@code POST /sales/{id}/queue}), retries included
 * @param gateReads             gate polls ({@code GET /sales/{id}/queue})
 * @param placeReads            reads of a buyer's own place ({@code GET /sales/{id}/queue/me})
 * @param retries               reservation requests beyond a buyer's first (after no answer or a 5xx)
 * @param admitted              buyers the waiting room gave a ticket
 * @param held                  buyers whose final answer is a hold
 * @param soldOut               buyers whose final answer is sold out
 * @param soldOutWhenAdmitted   of those, buyers admitted with a ticket and then refused for want of a unit
 * @param walkedAway            admitted buyers who left without reserving ({@code --no-show})
 * @param unanswered            buyers with none of these (refused otherwise, or out of time)
 * @param timeToAnswerP50       from the crowd's start (every buyer arrives then) to a buyer's final answer: median
 * @param longestTimeToAnswer   and the longest
 * @param latestHeldPosition    the furthest queue position that got a hold (0: none)
 * @param earliestNeverAdmitted the nearest queue position told sold out without ever being admitted (0: none)
 */
public record TicketedFigures(
        long joins,
        long gateReads,
        long placeReads,
        long retries,
        long admitted,
        long held,
        long soldOut,
        long soldOutWhenAdmitted,
        long walkedAway,
        long unanswered,
        Duration timeToAnswerP50,
        Duration longestTimeToAnswer,
        long latestHeldPosition,
        long earliestNeverAdmitted) {

    public long queuePolls() {
        return gateReads + placeReads;
    }

    public long answered() {
        return held + soldOut;
    }

    /** Every hold went to a position before every buyer who was never admitted (admission in queue order). */
    public boolean holdsInQueueOrder() {
        return earliestNeverAdmitted == 0 || latestHeldPosition < earliestNeverAdmitted;
    }
}
