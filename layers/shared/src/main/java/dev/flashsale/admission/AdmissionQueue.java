package dev.flashsale.admission;

import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A ticketed sale's waiting room in Redis, every key in the sale's slot: joining (queue-join.lua) and admission with
 * the buyer's place or the gate alone (queue-admit.lua). Each call is one round trip. Admission moves forward inside
 * those calls, so it advances while anyone joins or polls; nothing runs on a timer.
 */
public final class AdmissionQueue {

    private final RedisConnection redis;
    private final AdmissionPolicy policy;

    public AdmissionQueue(RedisConnection redis, AdmissionPolicy policy) {
        this.redis = redis;
        this.policy = policy;
    }

    public JoinOutcome join(String saleId, String buyerId) {
        SaleKeys k = new SaleKeys(saleId);
        List<?> reply = (List<?>) redis.eval(
                LuaScript.QUEUE_JOIN,
                List.of(k.meta(), k.queueLine(), k.queuePositions()),
                List.of(
                        buyerId,
                        Long.toString(policy.joinLead().toMillis()),
                        Long.toString(policy.retention().toMillis())));
        return switch (ScriptReply.text(reply.get(0))) {
            case "JOINED" ->
                new JoinOutcome.Joined(ScriptReply.number(reply.get(1)), ScriptReply.number(reply.get(2)) == 1);
            case "UNKNOWN_SALE" -> new JoinOutcome.UnknownSale();
            case "NOT_TICKETED" -> new JoinOutcome.NotTicketed();
            case "NOT_OPEN" -> new JoinOutcome.NotOpen(Instant.ofEpochMilli(ScriptReply.number(reply.get(1))));
            case "ENDED" -> new JoinOutcome.Ended(Instant.ofEpochMilli(ScriptReply.number(reply.get(1))));
            default -> throw new IllegalStateException("queue-join.lua answered " + reply.get(0));
        };
    }

    /** Moves admission forward, then answers the buyer's place (or why the sale has no queue). */
    public QueuePlace place(String saleId, String buyerId) {
        return admit(saleId, buyerId);
    }

    /**
     * Moves admission forward, then answers the gate alone ({@link QueuePlace.NotJoined}, {@link QueuePlace.Ended}, or
     * why the sale has no queue): what every waiting buyer polls.
     */
    public QueuePlace gate(String saleId) {
        return admit(saleId, "");
    }

    private QueuePlace admit(String saleId, String buyerId) {
        SaleKeys k = new SaleKeys(saleId);
        List<?> reply = (List<?>) redis.eval(
                LuaScript.QUEUE_ADMIT,
                List.of(
                        k.meta(),
                        k.stock(),
                        k.queueLine(),
                        k.queuePositions(),
                        k.admits(),
                        k.gate(),
                        k.units(),
                        k.placeBucket(buyerId)),
                List.of(
                        buyerId,
                        Double.toString(policy.factor()),
                        Double.toString(policy.ratePerSecond()),
                        Long.toString(policy.ticketTtl().toMillis()),
                        Long.toString(policy.retention().toMillis()),
                        Double.toString(policy.placeReadsPerSecond()),
                        Integer.toString(AdmissionPolicy.PLACE_READ_BURST)));
        String state = ScriptReply.text(reply.get(0));
        if (state.equals("RATE_LIMITED")) {
            return new QueuePlace.RateLimited(Duration.ofMillis(ScriptReply.number(reply.get(1))));
        }
        if (state.equals("UNKNOWN_SALE")) {
            return new QueuePlace.UnknownSale();
        }
        if (state.equals("NOT_TICKETED")) {
            return new QueuePlace.NotTicketed();
        }
        long position = ScriptReply.number(reply.get(1));
        QueuePlace.Gate gate = new QueuePlace.Gate(
                ScriptReply.number(reply.get(2)),
                ScriptReply.number(reply.get(3)),
                ScriptReply.number(reply.get(4)),
                ScriptReply.number(reply.get(5)),
                ScriptReply.number(reply.get(6)),
                ScriptReply.number(reply.get(7)));
        Instant ms = Instant.ofEpochMilli(ScriptReply.number(reply.get(8)));
        return switch (state) {
            case "GATE", "NOT_JOINED" -> new QueuePlace.NotJoined(gate);
            case "ENDED" -> new QueuePlace.Ended(ms, gate);
            case "ADMITTED" -> new QueuePlace.Admitted(position, ms, gate);
            case "USED" -> new QueuePlace.Used(position, gate);
            case "LAPSED" -> new QueuePlace.Lapsed(position, gate);
            case "SOLD_OUT" -> new QueuePlace.SoldOut(position, gate);
            case "WAITING" ->
                new QueuePlace.Waiting(
                        position,
                        position - gate.admittedUpTo() - 1,
                        ms.toEpochMilli() == 0 ? Optional.empty() : Optional.of(ms),
                        gate);
            default -> throw new IllegalStateException("queue-admit.lua answered " + state);
        };
    }

    public AdmissionPolicy policy() {
        return policy;
    }
}
