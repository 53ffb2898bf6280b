package dev.flashsale.reservation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;

/**
 * Reservations in Redis: take a hold (reserve.lua), give one back (release-hold.lua), look one up. Each call is one
 * round trip.
 */
public final class ReservationStore {

    private static final LuaScript RESERVE = LuaScript.fromResource("reserve");
    private static final LuaScript RELEASE_HOLD = LuaScript.fromResource("release-hold");

    private final RedisConnection redis;
    private final ReservationPolicy policy;

    public ReservationStore(RedisConnection redis, ReservationPolicy policy) {
        this.redis = redis;
        this.policy = policy;
    }

    /** Loads the scripts on the server that owns {@code saleId}'s slot (any id will do outside cluster mode). */
    public void loadScripts(String saleId) {
        String sample = new SaleKeys(saleId).meta();
        redis.call(c -> {
            RESERVE.load(c, sample);
            RELEASE_HOLD.load(c, sample);
            return null;
        });
    }

    /** @param newId the id the reservation gets if a new hold is taken */
    public ReserveOutcome reserve(ReserveRequest request, String newId) {
        SaleKeys k = new SaleKeys(request.saleId());
        List<?> reply = (List<?>) redis.eval(RESERVE,
                List.of(k.meta(), k.stock(), k.holds(), k.reservations(), k.idempotency(), k.units(), k.rateBucket(request.buyerId())),
                List.of(newId, request.buyerId(), request.idempotencyKey(), Integer.toString(request.quantity()),
                        Long.toString(policy.holdDuration().toMillis()), Integer.toString(policy.rateBurst()),
                        Double.toString(policy.ratePerSecond()), Long.toString(policy.retention().toMillis())));
        String code = ReservationCodec.text(reply.get(0));
        return switch (code) {
            case "HELD", "REPLAY" -> new ReserveOutcome.Held(
                    ReservationCodec.decode(request.saleId(), ReservationCodec.text(reply.get(1))),
                    ReservationCodec.number(reply.get(2)),
                    code.equals("REPLAY"));
            case "KEY_CONFLICT" -> refused(new Refusal.KeyReused(
                    ReservationCodec.decode(request.saleId(), ReservationCodec.text(reply.get(1))), request.quantity()));
            case "UNKNOWN_SALE" -> refused(new Refusal.UnknownSale(request.saleId()));
            case "NOT_STARTED" -> refused(new Refusal.NotStarted(Instant.ofEpochMilli(ReservationCodec.number(reply.get(1)))));
            case "ENDED" -> refused(new Refusal.Ended(Instant.ofEpochMilli(ReservationCodec.number(reply.get(1)))));
            case "ORDER_MAX" -> refused(new Refusal.AboveOrderMax(request.quantity(), (int) ReservationCodec.number(reply.get(1))));
            case "RATE_LIMITED" -> refused(new Refusal.RateLimited(Duration.ofMillis(ReservationCodec.number(reply.get(1)))));
            case "LIMIT" -> refused(new Refusal.LimitExceeded((int) ReservationCodec.number(reply.get(1)),
                    (int) ReservationCodec.number(reply.get(2)), request.quantity()));
            case "SOLD_OUT" -> refused(new Refusal.SoldOut((int) ReservationCodec.number(reply.get(1)), request.quantity()));
            default -> throw new IllegalStateException("reserve.lua answered " + code);
        };
    }

    private static ReserveOutcome refused(Refusal refusal) {
        return new ReserveOutcome.Refused(refusal);
    }

    /**
     * Returns a HELD reservation's units to stock.
     *
     * @param finalStatus   {@link ReservationStatus#EXPIRED} or {@link ReservationStatus#CANCELLED}
     * @param onlyIfExpired release only if the hold deadline has passed (server clock)
     * @param forgetKey     drop the idempotency key so the buyer can retry with it
     */
    public ReleaseOutcome release(String saleId, String reservationId, ReservationStatus finalStatus,
                                  boolean onlyIfExpired, boolean forgetKey) {
        if (finalStatus != ReservationStatus.EXPIRED && finalStatus != ReservationStatus.CANCELLED) {
            throw new IllegalArgumentException("a hold is released as EXPIRED or CANCELLED, not " + finalStatus);
        }
        SaleKeys k = new SaleKeys(saleId);
        List<?> reply = (List<?>) redis.eval(RELEASE_HOLD,
                List.of(k.stock(), k.holds(), k.reservations(), k.idempotency(), k.units()),
                List.of(reservationId, finalStatus.name(), onlyIfExpired ? "1" : "0", forgetKey ? "1" : "0"));
        String code = ReservationCodec.text(reply.get(0));
        return switch (code) {
            case "RELEASED" -> new ReleaseOutcome.Released(ReservationCodec.number(reply.get(1)));
            case "NOT_HELD" -> new ReleaseOutcome.NotHeld(Optional.of(ReservationStatus.valueOf(ReservationCodec.text(reply.get(1)))));
            case "UNKNOWN" -> new ReleaseOutcome.NotHeld(Optional.empty());
            case "NOT_EXPIRED" -> new ReleaseOutcome.NotExpired();
            default -> throw new IllegalStateException("release-hold.lua answered " + code);
        };
    }

    public Optional<Reservation> find(String saleId, String reservationId) {
        String json = redis.call(c -> c.hget(new SaleKeys(saleId).reservations(), reservationId));
        return json == null ? Optional.empty() : Optional.of(ReservationCodec.decode(saleId, json));
    }
}
