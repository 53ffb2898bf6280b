package dev.flashsale.reservation;

import dev.flashsale.admission.TicketCheck;
import dev.flashsale.redis.BucketCounts;
import dev.flashsale.redis.BucketStock;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reservations in Redis: take a hold (reserve.lua), cancel one whose confirmation could not be queued
 * (cancel-hold.lua), look them up. Each call is one round trip, in the buyer's home bucket; in a sale split into
 * several buckets a hold the home bucket lacks units for moves them from the others first ({@link StockTransfers}).
 */
public final class ReservationStore {

    /** Retry-After of a request refused for now (no replica acknowledged, units still moving between buckets). */
    static final Duration REFUSED_RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * Rounds of borrowing for one request of a split sale: another buyer of the same home bucket may take the units
     * moved in for this one (each such round is a hold for someone), and a refusal must see every bucket short. A
     * request that ran out of rounds while units remained is answered 503, never "sold out".
     */
    static final int BORROW_ROUNDS = 32;
    /** Between the two reads of every bucket before a refusal: longer than a transfer's two round trips. */
    static final long COLLECT_PAUSE_MS = 3;

    private final RedisConnection redis;
    private final ReservationPolicy policy;
    private final ReplicaAck replicaAck;
    private final BucketCounts buckets;
    private final StockTransfers transfers;
    private final BucketStock stock;

    /**
     * @param replicaAck how a new hold, and a transfer it borrows, waits for a replica before it is answered
     *     ({@link ReplicaAck#NONE}: never)
     */
    public ReservationStore(RedisConnection redis, ReservationPolicy policy, ReplicaAck replicaAck) {
        this.redis = redis;
        this.policy = policy;
        this.replicaAck = replicaAck;
        this.buckets = new BucketCounts(redis);
        this.transfers = new StockTransfers(redis, replicaAck);
        this.stock = new BucketStock(redis);
    }

    /** How many buckets each sale has, as this store reads them. */
    public BucketCounts buckets() {
        return buckets;
    }

    /**
     * Takes a hold under the request's reservation id ({@link ReservationIds}), or answers the reservation its key
     * already names. A new hold no replica acknowledged in time is cancelled when {@link ReplicaAck.OnTimeout#REFUSE}
     * says so.
     *
     * @throws DependencyUnavailableException when the hold was refused for want of a replica's acknowledgement, or, in a
     *     sale split into buckets, when its last units kept moving to other buyers for {@link #BORROW_ROUNDS} rounds
     */
    public ReserveOutcome reserve(ReserveRequest request) {
        int count = buckets.orOne(request.saleId());
        SaleKeys k = Buckets.homeKeys(request.saleId(), request.buyerId(), count);
        String id = ReservationIds.of(request.saleId(), request.buyerId(), request.idempotencyKey());
        ReserveOutcome outcome = reserveIn(k, id, request, false);
        return count == 1 ? outcome : acrossBuckets(k, count, id, request, outcome);
    }

    /**
     * A split sale: a hold the home bucket lacked units for is tried again once units moved in from the other buckets,
     * and refused only when every bucket is short; a hold that emptied its bucket reports what is left in all of them.
     */
    private ReserveOutcome acrossBuckets(
            SaleKeys k, int count, String id, ReserveRequest request, ReserveOutcome first) {
        ReserveOutcome outcome = first;
        for (int round = 0; round < BORROW_ROUNDS && shortOf(outcome) > 0; round++) {
            int moved = transfers.borrow(k, count, shortOf(outcome));
            if (moved == 0) {
                // Every other bucket looked short. Sold out only if every bucket is short when read again, twice, a
                // moment apart: a transfer under way for another buyer is on neither counter for a round trip.
                long total = stock.total(request.saleId(), count);
                if (total < request.quantity()) {
                    pause();
                    total = stock.total(request.saleId(), count);
                }
                if (total < request.quantity()) {
                    return refused(new Refusal.SoldOut((int) total, request.quantity()));
                }
            }
            outcome = reserveIn(k, id, request, true);
        }
        if (shortOf(outcome) > 0) {
            // Units remain, but other buyers of this home bucket took what was moved in, round after round (or a
            // bucket's deficit ate it): not sold out, so no refusal; the buyer retries with the same key.
            throw new DependencyUnavailableException(
                    "redis",
                    REFUSED_RETRY_AFTER,
                    "the sale's last units are moving between its buckets; retry with the same Idempotency-Key",
                    null);
        }
        if (outcome instanceof ReserveOutcome.Held h && h.remaining() == 0) {
            long total;
            try {
                total = stock.total(request.saleId(), count);
            } catch (DependencyUnavailableException e) {
                // the hold is taken; only what is left elsewhere is unknown (and 0 would say "sold out")
                total = ReserveOutcome.Held.UNKNOWN;
            }
            return new ReserveOutcome.Held(h.reservation(), total, h.replayed(), h.send(), h.bucket());
        }
        return outcome;
    }

    private static void pause() {
        try {
            Thread.sleep(COLLECT_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Units the home bucket lacked for a refused hold; 0 for any other outcome. */
    private static int shortOf(ReserveOutcome outcome) {
        return outcome instanceof ReserveOutcome.Refused r && r.refusal() instanceof Refusal.SoldOut s
                ? s.requested() - s.available()
                : 0;
    }

    private ReserveOutcome reserveIn(SaleKeys k, String id, ReserveRequest request, boolean tokenTaken) {
        RedisConnection.Replicated result = redis.evalReplicated(
                LuaScript.RESERVE,
                List.of(
                        k.meta(),
                        k.stock(),
                        k.holds(),
                        k.reservations(),
                        k.idempotency(),
                        k.units(),
                        k.rateBucket(request.buyerId()),
                        k.resent(),
                        k.admits()),
                List.of(
                        id,
                        request.buyerId(),
                        request.idempotencyKey(),
                        Integer.toString(request.quantity()),
                        Long.toString(policy.holdDuration().toMillis()),
                        Integer.toString(policy.rateBurst()),
                        Double.toString(policy.ratePerSecond()),
                        Long.toString(policy.retention().toMillis()),
                        Long.toString(policy.resendInterval().toMillis()),
                        request.ticket().check().wire(),
                        Long.toString(request.ticket().expiresAt().toEpochMilli()),
                        tokenTaken ? "1" : "0"),
                replicaAck,
                ReservationStore::isNewHold);
        List<?> reply = (List<?>) result.reply();
        if (!result.acknowledged() && replicaAck.onTimeout() == ReplicaAck.OnTimeout.REFUSE && isNewHold(reply)) {
            cancel(k, id);
            throw new DependencyUnavailableException(
                    "redis",
                    REFUSED_RETRY_AFTER,
                    "no Redis replica acknowledged the hold in time; nothing was reserved",
                    null);
        }
        String code = ScriptReply.text(reply.get(0));
        return switch (code) {
            case "HELD" ->
                new ReserveOutcome.Held(
                        ReservationCodec.decode(request.saleId(), ScriptReply.text(reply.get(1))),
                        ScriptReply.number(reply.get(2)),
                        false,
                        true,
                        k.bucket());
            case "REPLAY" -> replay(request.saleId(), reply, k.bucket());
            case "KEY_CONFLICT" ->
                refused(new Refusal.KeyReused(
                        ReservationCodec.decode(request.saleId(), ScriptReply.text(reply.get(1))), request.quantity()));
            case "UNKNOWN_SALE" -> refused(new Refusal.UnknownSale(request.saleId()));
            case "NOT_ADMITTED" ->
                refused(new Refusal.NotAdmitted(request.saleId(), TicketCheck.ofWire(ScriptReply.text(reply.get(1)))));
            case "NOT_STARTED" ->
                refused(new Refusal.NotStarted(Instant.ofEpochMilli(ScriptReply.number(reply.get(1)))));
            case "ENDED" -> refused(new Refusal.Ended(Instant.ofEpochMilli(ScriptReply.number(reply.get(1)))));
            case "ORDER_MAX" ->
                refused(new Refusal.AboveOrderMax(request.quantity(), (int) ScriptReply.number(reply.get(1))));
            case "RATE_LIMITED" ->
                refused(new Refusal.RateLimited(Duration.ofMillis(ScriptReply.number(reply.get(1)))));
            case "LIMIT" ->
                refused(new Refusal.LimitExceeded(
                        (int) ScriptReply.number(reply.get(1)),
                        (int) ScriptReply.number(reply.get(2)),
                        request.quantity()));
            case "SOLD_OUT" -> refused(new Refusal.SoldOut((int) ScriptReply.number(reply.get(1)), request.quantity()));
            default -> throw new IllegalStateException("reserve.lua answered " + code);
        };
    }

    /**
     * A replay answers the reservation as it is, except a HELD one past its deadline, which is shown EXPIRED: the
     * release job has yet to return it, and no confirmation can claim it any more.
     */
    private static ReserveOutcome replay(String saleId, List<?> reply, int bucket) {
        Reservation r = ReservationCodec.decode(saleId, ScriptReply.text(reply.get(1)));
        boolean send = ScriptReply.number(reply.get(3)) == 1;
        if (ScriptReply.number(reply.get(4)) == 1) {
            r = r.withStatus(ReservationStatus.EXPIRED);
        }
        return new ReserveOutcome.Held(r, ScriptReply.number(reply.get(2)), true, send, bucket);
    }

    private static boolean isNewHold(Object reply) {
        return reply instanceof List<?> list && "HELD".equals(ScriptReply.text(list.get(0)));
    }

    private static ReserveOutcome refused(Refusal refusal) {
        return new ReserveOutcome.Refused(refusal);
    }

    /**
     * Cancels a HELD reservation whose confirmation could not be queued: CANCELLED, its units back in stock, its
     * idempotency key forgotten so the buyer can retry with it. Anything not HELD is left alone.
     */
    public ReleaseOutcome cancel(Reservation hold) {
        return cancel(buckets.home(hold.saleId(), hold.buyerId()), hold.id());
    }

    public ReleaseOutcome cancel(SaleKeys k, String reservationId) {
        List<?> reply = (List<?>) redis.eval(
                LuaScript.CANCEL_HOLD,
                List.of(k.stock(), k.holds(), k.reservations(), k.idempotency(), k.units()),
                List.of(reservationId));
        String code = ScriptReply.text(reply.get(0));
        return switch (code) {
            case "CANCELLED" -> new ReleaseOutcome.Released(ScriptReply.number(reply.get(1)));
            case "NOT_HELD" ->
                new ReleaseOutcome.NotHeld(Optional.of(ReservationStatus.valueOf(ScriptReply.text(reply.get(1)))));
            case "UNKNOWN" -> new ReleaseOutcome.NotHeld(Optional.empty());
            default -> throw new IllegalStateException("cancel-hold.lua answered " + code);
        };
    }

    /** Whether the buyer's idempotency key maps to a reservation of the sale: one HGET, for the sold-out fast path. */
    public boolean keySeen(String saleId, String buyerId, String idempotencyKey) {
        String mapping = buckets.home(saleId, buyerId).idempotency();
        return redis.call(mapping, c -> c.hexists(mapping, buyerId + "\n" + idempotencyKey));
    }

    /** Lets the next replay of the reservation re-send its confirmation at once (the last re-send failed). */
    public void forgetResend(Reservation r) {
        String resent = buckets.home(r.saleId(), r.buyerId()).resent();
        redis.call(resent, c -> c.hdel(resent, r.id()));
    }

    /** The buyer's reservation, from their home bucket (a reservation of another buyer is not there, or not theirs). */
    public Optional<Reservation> find(String saleId, String buyerId, String reservationId) {
        return find(buckets.home(saleId, buyerId), reservationId)
                .filter(r -> r.buyerId().equals(buyerId));
    }

    public Optional<Reservation> find(SaleKeys k, String reservationId) {
        String json = redis.call(k.reservations(), c -> c.hget(k.reservations(), reservationId));
        return json == null ? Optional.empty() : Optional.of(ReservationCodec.decode(k.saleId(), json));
    }

    /** The reservations the bucket has among {@code ids}, by id (one HMGET); ids it does not know are left out. */
    public Map<String, Reservation> findAll(SaleKeys k, List<String> ids) {
        Map<String, Reservation> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        List<String> json = redis.call(k.reservations(), c -> c.hmget(k.reservations(), ids.toArray(String[]::new)));
        for (int i = 0; i < ids.size(); i++) {
            if (json.get(i) != null) {
                found.put(ids.get(i), ReservationCodec.decode(k.saleId(), json.get(i)));
            }
        }
        return found;
    }
}
