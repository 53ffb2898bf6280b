package dev.flashsale.reservation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.flashsale.config.Config;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;

/**
 * The Redis side of confirmation: claim a live hold (claim.lua), make Redis follow the database's decision
 * (settle-claim.lua), and list holds and claims whose deadline has passed (due.lua). Each call is one round trip.
 */
public final class HoldClaims {

    private static final LuaScript CLAIM = LuaScript.fromResource("claim");
    private static final LuaScript SETTLE = LuaScript.fromResource("settle-claim");
    private static final LuaScript DUE = LuaScript.fromResource("due");

    /** Default of {@code CLAIM_TTL}. */
    public static final Duration DEFAULT_CLAIM_TTL = Duration.ofMinutes(5);

    private final RedisConnection redis;
    private final Duration claimTtl;

    /**
     * @param claimTtl how long a claim protects a reservation from the release job; it must outlast a confirmer's
     *                 work on one message (the function timeout). Safety never depends on it, only how soon a dead
     *                 confirmer's claim is settled.
     */
    public HoldClaims(RedisConnection redis, Duration claimTtl) {
        this.redis = redis;
        this.claimTtl = claimTtl;
    }

    /**
     * With {@code CLAIM_TTL} from config (default 5m, at least 1s). Keep it above the confirm queue's visibility
     * timeout: a message that keeps failing then renews its claim at each delivery before the claim can lapse.
     */
    public static HoldClaims from(RedisConnection redis, Config config) {
        return new HoldClaims(redis, config.duration("CLAIM_TTL", DEFAULT_CLAIM_TTL, Duration.ofSeconds(1), Duration.ofHours(1)));
    }

    /** Loads the scripts on the server that owns {@code saleId}'s slot (any id will do outside cluster mode). */
    public void loadScripts(String saleId) {
        String sample = new SaleKeys(saleId).meta();
        redis.call(c -> {
            CLAIM.load(c, sample);
            SETTLE.load(c, sample);
            DUE.load(c, sample);
            return null;
        });
    }

    public ClaimOutcome claim(String saleId, String reservationId) {
        SaleKeys k = new SaleKeys(saleId);
        List<?> reply = (List<?>) redis.eval(CLAIM, List.of(k.holds(), k.claims(), k.reservations()),
                List.of(reservationId, Long.toString(claimTtl.toMillis())));
        String code = ReservationCodec.text(reply.get(0));
        return switch (code) {
            case "CLAIMED", "RECLAIMED" -> new ClaimOutcome.Claimed(
                    ReservationCodec.decode(saleId, ReservationCodec.text(reply.get(1))), code.equals("RECLAIMED"));
            case "HOLD_EXPIRED" -> new ClaimOutcome.HoldExpired(ReservationCodec.decode(saleId, ReservationCodec.text(reply.get(1))));
            case "NOT_CLAIMABLE" -> new ClaimOutcome.NotClaimable(ReservationStatus.valueOf(ReservationCodec.text(reply.get(1))));
            case "UNKNOWN" -> new ClaimOutcome.Unknown();
            default -> throw new IllegalStateException("claim.lua answered " + code);
        };
    }

    /**
     * Makes Redis follow the database: an order makes the reservation CONFIRMED; a release makes it EXPIRED, with
     * its units back in stock unless the database refused it for lack of stock.
     */
    public SettleOutcome follow(String saleId, String reservationId, OrderDecision decision) {
        return switch (decision) {
            case OrderDecision.Ordered o -> settle(saleId, reservationId, ReservationStatus.CONFIRMED, false);
            case OrderDecision.Released r -> settle(saleId, reservationId, ReservationStatus.EXPIRED, r.reason().returnsStock());
        };
    }

    SettleOutcome settle(String saleId, String reservationId, ReservationStatus target, boolean returnStock) {
        SaleKeys k = new SaleKeys(saleId);
        List<?> reply = (List<?>) redis.eval(SETTLE, List.of(k.stock(), k.claims(), k.reservations(), k.units()),
                List.of(reservationId, target.name(), returnStock ? "1" : "0"));
        return SettleOutcome.valueOf(ReservationCodec.text(reply.get(0)));
    }

    /** HELD reservations whose hold deadline has passed (server clock), earliest first. */
    public List<String> expiredHolds(String saleId, int limit) {
        return due(new SaleKeys(saleId).holds(), limit);
    }

    /** CLAIMED reservations whose claim deadline has passed (server clock): their confirmer may have died. */
    public List<String> staleClaims(String saleId, int limit) {
        return due(new SaleKeys(saleId).claims(), limit);
    }

    private List<String> due(String key, int limit) {
        List<?> reply = (List<?>) redis.eval(DUE, List.of(key), List.of(Integer.toString(limit)));
        List<String> ids = new ArrayList<>(reply.size());
        for (Object o : reply) {
            ids.add(ReservationCodec.text(o));
        }
        return ids;
    }
}
