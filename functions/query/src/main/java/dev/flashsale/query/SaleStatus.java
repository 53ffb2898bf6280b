package dev.flashsale.query;

import dev.flashsale.sale.Admission;
import dev.flashsale.sale.SalePhase;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sale as buyers see it.
 *
 * @param admission how buyers get to reserve: as they come, or through the sale's queue with a ticket (docs/admission.md)
 * @param remaining units available now
 * @param sold      units taken: held or bought ({@code stock − remaining})
 * @param loaded    whether the figures come from Redis (live) or, for a sale not loaded yet, from the database
 * @param asOf      when the figures were read
 * @param stale     the figures are this environment's last known ones, answered because Redis or the database is
 *                  unavailable; {@code asOf} says how old they are
 */
public record SaleStatus(
        String saleId,
        SalePhase phase,
        Admission admission,
        long stock,
        long remaining,
        Instant startsAt,
        Instant endsAt,
        boolean loaded,
        Instant asOf,
        boolean stale) {

    /** The same figures, answered later while the sources are unavailable: the phase is recomputed for {@code now}. */
    public SaleStatus staleAt(Instant now) {
        return new SaleStatus(
                saleId,
                SalePhase.of(startsAt, endsAt, remaining, now),
                admission,
                stock,
                remaining,
                startsAt,
                endsAt,
                loaded,
                asOf,
                true);
    }

    public long sold() {
        return stock - remaining;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("saleId", saleId);
        m.put("status", phase.wire());
        m.put("admission", admission.wire());
        m.put("stock", stock);
        m.put("remaining", remaining);
        m.put("sold", sold());
        m.put("startsAt", startsAt.toString());
        m.put("endsAt", endsAt.toString());
        if (stale) {
            m.put("stale", true);
            m.put("asOf", asOf.toString());
        }
        return m;
    }

    /**
     * How long a shared cache (CloudFront, a browser) may keep the answer: live figures change every instant, an
     * upcoming sale's only when it opens, an ended sale's never.
     */
    public String cacheControl(Instant now) {
        if (stale) {
            return "no-store"; // a degraded answer must not outlive the outage in a shared cache
        }
        long seconds = switch (phase) {
            case LIVE, SOLD_OUT -> 1;
            case UPCOMING ->
                Math.max(1, Math.min(30, Duration.between(now, startsAt).toSeconds()));
            case ENDED -> 300;
        };
        return "public, max-age=" + seconds;
    }
}
