package dev.flashsale.reservation;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis side of confirmation: claim a live hold (claim.lua), make Redis follow the database's decision
 * (settle.lua), and list holds and claims whose deadline has passed (due.lua). Each call is one round trip. A
 * confirmer's batch claims and follows many reservations of one sale per call (claim-batch.lua, settle-batch.lua), up to
 * {@link #BATCH_SCRIPT_IDS} ids per call. Every call names the bucket ({@link SaleKeys}) its reservations live in: the
 * buyer's home bucket, which a confirmation message carries.
 */
public final class HoldClaims {

    /** The most reservation ids one claim-batch.lua or settle-batch.lua call takes; longer lists take more calls. */
    public static final int BATCH_SCRIPT_IDS = 500;

    private final RedisConnection redis;
    private final Duration claimTtl;
    private final Duration redriveWindow;

    /**
     * @param claimTtl      how long a claim protects a reservation from the release job while a confirmer works on it;
     *                      it must outlast a confirmer's work on one message (the function timeout). Safety never
     *                      depends on it, only how soon a dead confirmer's claim is settled.
     * @param redriveWindow how long a claim is kept for a confirmation that failed and may wait in the DLQ
     *                      ({@link #park})
     */
    public HoldClaims(RedisConnection redis, Duration claimTtl, Duration redriveWindow) {
        this.redis = redis;
        this.claimTtl = claimTtl;
        this.redriveWindow = redriveWindow;
    }

    /** Claims a live hold (or renews a claim) for {@code CLAIM_TTL}, while a confirmer works on it. */
    public ClaimOutcome claim(SaleKeys k, String reservationId) {
        return claim(k, reservationId, claimTtl);
    }

    /**
     * Claims a live hold (or renews a claim) for {@code REDRIVE_WINDOW}: its confirmation failed and will be retried
     * by a redelivery, or by a redrive from the DLQ, which must still find it claimable. A CLAIMED reservation is only
     * ever settled through the database fence, so nothing releases it meanwhile.
     */
    public ClaimOutcome park(SaleKeys k, String reservationId) {
        return claim(k, reservationId, redriveWindow);
    }

    /**
     * {@link #claim(SaleKeys, String)}, or, when Redis no longer has the reservation (lost in a failover) and {@code hold}
     * (its confirmation message's copy, status HELD) is still live by the server clock, restores it as CLAIMED with the
     * effects its reservation had: units off the stock counter and on the buyer's count, the key mapped to it.
     */
    public ClaimOutcome claimOrRestore(SaleKeys k, Reservation hold) {
        return claim(k, hold.id(), claimTtl, ReservationCodec.encode(hold));
    }

    /** {@link #park}, restoring a lost hold as {@link #claimOrRestore} does. */
    public ClaimOutcome parkOrRestore(SaleKeys k, Reservation hold) {
        return claim(k, hold.id(), redriveWindow, ReservationCodec.encode(hold));
    }

    /**
     * {@link #claim(SaleKeys, String)} for many reservations of one sale, in one round trip per {@link #BATCH_SCRIPT_IDS}
     * ids (claim-batch.lua): each is claimed for {@code CLAIM_TTL} as claim.lua would claim it alone. A reservation Redis
     * does not have is answered {@link ClaimOutcome.Unknown} without restoring anything: restore it with
     * {@link #claimOrRestore}.
     *
     * @param reservationIds distinct ids
     * @return the outcome of every id, in the order given
     * @throws IllegalArgumentException when an id is given twice
     */
    public Map<String, ClaimOutcome> claimAll(SaleKeys k, List<String> reservationIds) {
        Map<String, ClaimOutcome> outcomes = new LinkedHashMap<>();
        for (int from = 0; from < reservationIds.size(); from += BATCH_SCRIPT_IDS) {
            List<String> chunk = reservationIds.subList(from, Math.min(reservationIds.size(), from + BATCH_SCRIPT_IDS));
            List<String> args = new ArrayList<>(chunk.size() + 1);
            args.add(Long.toString(claimTtl.toMillis()));
            args.addAll(chunk);
            List<?> reply =
                    (List<?>) redis.eval(LuaScript.CLAIM_BATCH, List.of(k.holds(), k.claims(), k.reservations()), args);
            for (int i = 0; i < chunk.size(); i++) {
                String code = ScriptReply.text(reply.get(2 * i));
                String value = ScriptReply.text(reply.get(2 * i + 1));
                ClaimOutcome outcome = switch (code) {
                    case "CLAIMED", "RECLAIMED" ->
                        new ClaimOutcome.Claimed(ReservationCodec.decode(k.saleId(), value), code.equals("RECLAIMED"));
                    case "HOLD_EXPIRED" -> new ClaimOutcome.HoldExpired(ReservationCodec.decode(k.saleId(), value));
                    case "NOT_CLAIMABLE" -> new ClaimOutcome.NotClaimable(ReservationStatus.valueOf(value));
                    case "UNKNOWN" -> new ClaimOutcome.Unknown();
                    case "DUPLICATE" ->
                        throw new IllegalArgumentException("reservation " + chunk.get(i) + " given twice");
                    default -> throw new IllegalStateException("claim-batch.lua answered " + code);
                };
                if (outcomes.put(chunk.get(i), outcome) != null) {
                    throw new IllegalArgumentException("reservation " + chunk.get(i) + " given twice");
                }
            }
        }
        return outcomes;
    }

    private ClaimOutcome claim(SaleKeys k, String reservationId, Duration ttl) {
        return claim(k, reservationId, ttl, "");
    }

    private ClaimOutcome claim(SaleKeys k, String reservationId, Duration ttl, String lostHold) {
        List<?> reply = (List<?>) redis.eval(
                LuaScript.CLAIM,
                List.of(k.holds(), k.claims(), k.reservations(), k.stock(), k.idempotency(), k.units()),
                List.of(reservationId, Long.toString(ttl.toMillis()), lostHold));
        String code = ScriptReply.text(reply.get(0));
        return switch (code) {
            case "RESTORED" ->
                new ClaimOutcome.Restored(ReservationCodec.decode(k.saleId(), ScriptReply.text(reply.get(1))));
            case "CLAIMED", "RECLAIMED" ->
                new ClaimOutcome.Claimed(
                        ReservationCodec.decode(k.saleId(), ScriptReply.text(reply.get(1))), code.equals("RECLAIMED"));
            case "HOLD_EXPIRED" ->
                new ClaimOutcome.HoldExpired(ReservationCodec.decode(k.saleId(), ScriptReply.text(reply.get(1))));
            case "NOT_CLAIMABLE" ->
                new ClaimOutcome.NotClaimable(ReservationStatus.valueOf(ScriptReply.text(reply.get(1))));
            case "UNKNOWN" -> new ClaimOutcome.Unknown();
            default -> throw new IllegalStateException("claim.lua answered " + code);
        };
    }

    /**
     * Makes Redis follow the database for a reservation still HELD or CLAIMED: an order makes it CONFIRMED; a release
     * makes it EXPIRED, its units back in stock (see {@link dev.flashsale.db.ReleaseReason#refusal()} for refusals).
     * Either way its id leaves the holds and claims sets.
     */
    public SettleOutcome follow(SaleKeys k, String reservationId, OrderDecision decision) {
        return follow(k, reservationId, decision, "");
    }

    /**
     * {@link #follow}, or, when Redis no longer has the reservation (lost in a failover), writes {@code lost} back with
     * the decided status and maps its key to it, so a replay of the key answers the outcome. Counters are left to
     * reconciliation.
     */
    public SettleOutcome followOrRestore(SaleKeys k, Reservation lost, OrderDecision decision) {
        return follow(k, lost.id(), decision, ReservationCodec.encode(lost));
    }

    private SettleOutcome follow(SaleKeys k, String reservationId, OrderDecision decision, String lost) {
        return switch (decision) {
            case OrderDecision.Ordered o -> settle(k, reservationId, ReservationStatus.CONFIRMED, "", lost);
            case OrderDecision.OrderCancelled c ->
                settle(k, reservationId, ReservationStatus.CANCELLED, "always", lost);
            case OrderDecision.Released r ->
                settle(
                        k,
                        reservationId,
                        r.reason() == ReleaseReason.BUYER_CANCELLED
                                ? ReservationStatus.CANCELLED
                                : ReservationStatus.EXPIRED,
                        r.reason().refusal() ? "if-counted" : "always",
                        lost);
        };
    }

    /**
     * {@link #follow} for many reservations of one sale, in one round trip per {@link #BATCH_SCRIPT_IDS} ids
     * (settle-batch.lua). A reservation Redis does not have is answered {@link SettleOutcome#UNKNOWN} and nothing is
     * restored (use {@link #followOrRestore}).
     *
     * @param decisions the database's decision by reservation id
     * @return the outcome of every id, in the order of {@code decisions}
     */
    public Map<String, SettleOutcome> followAll(SaleKeys k, Map<String, OrderDecision> decisions) {
        Map<String, SettleOutcome> outcomes = new LinkedHashMap<>();
        List<Map.Entry<String, OrderDecision>> all = new ArrayList<>();
        for (Map.Entry<String, OrderDecision> e : decisions.entrySet()) {
            if (e.getValue() instanceof OrderDecision.OrderCancelled) {
                // rare (a cancelled order Redis still shows HELD or CLAIMED): one at a time, settle.lua knows CANCELLED
                outcomes.put(e.getKey(), follow(k, e.getKey(), e.getValue()));
            } else {
                all.add(e);
            }
        }
        for (int from = 0; from < all.size(); from += BATCH_SCRIPT_IDS) {
            List<Map.Entry<String, OrderDecision>> chunk =
                    all.subList(from, Math.min(all.size(), from + BATCH_SCRIPT_IDS));
            List<String> args = new ArrayList<>(chunk.size() * 3);
            for (Map.Entry<String, OrderDecision> e : chunk) {
                args.add(e.getKey());
                switch (e.getValue()) {
                    case OrderDecision.Ordered o -> {
                        args.add(ReservationStatus.CONFIRMED.name());
                        args.add("");
                    }
                    case OrderDecision.Released r -> {
                        args.add(ReservationStatus.EXPIRED.name());
                        args.add(r.reason().refusal() ? "if-counted" : "always");
                    }
                    case OrderDecision.OrderCancelled c -> throw new IllegalStateException("settled one at a time");
                }
            }
            List<?> reply = (List<?>) redis.eval(
                    LuaScript.SETTLE_BATCH,
                    List.of(k.stock(), k.holds(), k.claims(), k.reservations(), k.units(), k.meta()),
                    args);
            for (int i = 0; i < chunk.size(); i++) {
                outcomes.put(chunk.get(i).getKey(), SettleOutcome.valueOf(ScriptReply.text(reply.get(2 * i))));
            }
        }
        Map<String, SettleOutcome> inOrder = new LinkedHashMap<>();
        for (String id : decisions.keySet()) {
            inOrder.put(id, outcomes.get(id));
        }
        return inOrder;
    }

    /**
     * Drops an id from the holds set: its reservation is gone (ids are never reused, so it cannot come back) or no
     * longer HELD. Left there, due.lua would list it first on every run.
     */
    public void dropHold(SaleKeys k, String reservationId) {
        redis.call(k.holds(), c -> c.zrem(k.holds(), reservationId));
    }

    private SettleOutcome settle(
            SaleKeys k, String reservationId, ReservationStatus target, String refund, String lost) {
        List<?> reply = (List<?>) redis.eval(
                LuaScript.SETTLE,
                List.of(k.stock(), k.holds(), k.claims(), k.reservations(), k.units(), k.meta(), k.idempotency()),
                List.of(reservationId, target.name(), refund, lost));
        return SettleOutcome.valueOf(ScriptReply.text(reply.get(0)));
    }

    /** HELD reservations whose hold deadline has passed (server clock), earliest first. */
    public List<String> expiredHolds(SaleKeys k, int limit) {
        return due(k.holds(), limit);
    }

    /** CLAIMED reservations whose claim deadline has passed (server clock): their confirmer may have died. */
    public List<String> staleClaims(SaleKeys k, int limit) {
        return due(k.claims(), limit);
    }

    private List<String> due(String key, int limit) {
        List<?> reply = (List<?>) redis.eval(LuaScript.DUE, List.of(key), List.of(Integer.toString(limit)));
        List<String> ids = new ArrayList<>(reply.size());
        for (Object o : reply) {
            ids.add(ScriptReply.text(o));
        }
        return ids;
    }
}
