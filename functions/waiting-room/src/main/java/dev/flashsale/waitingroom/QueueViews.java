package dev.flashsale.waitingroom;

import dev.flashsale.admission.QueuePlace;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The waiting room's JSON bodies. A waiting buyer is told how many positions are ahead and the soonest their turn can
 * come at the maximum admission rate ({@code minWaitSeconds}: honest, a lower bound, since admission also waits for
 * units to be decided; counted from {@code admissionStartsAt} when the sale has not started), and when to poll again ({@code pollAfterSeconds}, longer the further back they are).
 */
final class QueueViews {

    static final int MAX_POLL_SECONDS = 30;

    private QueueViews() {}

    static Map<String, Object> place(String saleId, WaitingRoomHandler.Place p, double ratePerSecond) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("saleId", saleId);
        switch (p.place()) {
            case QueuePlace.Waiting w -> {
                m.put("state", "waiting");
                m.put("position", w.position());
                m.put("ahead", w.ahead());
                long minWait = (long) Math.ceil((w.ahead() + 1) / ratePerSecond);
                m.put("minWaitSeconds", minWait);
                w.admissionStarts().ifPresent(at -> m.put("admissionStartsAt", at.toString()));
                m.put("pollAfterSeconds", pollAfter(minWait));
                gate(m, w.gate());
            }
            case QueuePlace.Admitted a -> {
                m.put("state", "admitted");
                m.put("position", a.position());
                m.put("ticket", p.ticket().orElseThrow());
                m.put("ticketExpiresAt", a.until().toString());
            }
            case QueuePlace.Used u -> {
                m.put("state", "used");
                m.put("position", u.position());
            }
            case QueuePlace.Lapsed l -> {
                m.put("state", "lapsed");
                m.put("position", l.position());
            }
            case QueuePlace.SoldOut s -> {
                m.put("state", "sold-out");
                m.put("position", s.position());
                m.put("pollAfterSeconds", MAX_POLL_SECONDS);
                gate(m, s.gate());
            }
            case QueuePlace.NotJoined n -> {
                m.put("state", "not-joined");
                gate(m, n.gate());
            }
            case QueuePlace.Ended e -> {
                m.put("state", "ended");
                m.put("endedAt", e.endedAt().toString());
            }
            case QueuePlace.UnknownSale u -> throw new IllegalStateException("an unknown sale has no place");
            case QueuePlace.NotTicketed n -> throw new IllegalStateException("an open sale has no place");
            case QueuePlace.RateLimited r -> throw new IllegalStateException("a refused read has no place");
        }
        return m;
    }

    /** The part every waiting buyer polls: how far admission has got, and whether units are left. */
    static Map<String, Object> gate(String saleId, QueuePlace p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("saleId", saleId);
        switch (p) {
            case QueuePlace.NotJoined n -> {
                m.put("state", n.gate().available() > 0 ? "admitting" : "sold-out");
                gate(m, n.gate());
            }
            case QueuePlace.Ended e -> {
                m.put("state", "ended");
                m.put("endedAt", e.endedAt().toString());
            }
            default -> throw new IllegalStateException("the gate reads no buyer's place: " + p);
        }
        return m;
    }

    private static void gate(Map<String, Object> m, QueuePlace.Gate g) {
        m.put("admittedUpTo", g.admittedUpTo());
        m.put("joined", g.joined());
        m.put("available", g.available());
    }

    private static long pollAfter(long minWaitSeconds) {
        return Math.max(1, Math.min(MAX_POLL_SECONDS, minWaitSeconds / 2));
    }
}
