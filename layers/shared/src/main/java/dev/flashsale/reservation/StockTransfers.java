package dev.flashsale.reservation;

import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.redis.ScriptReply;
import dev.flashsale.redis.TransferEntry;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Moves units between the buckets of a sale split into several ({@link Buckets}) so that no buyer is told "sold out"
 * while another bucket holds units. Borrowing, on the reservation path: a buyer whose home bucket lacks units takes
 * exactly what is missing from the other buckets, tried in a random order, each transfer in two scripts with one id:
 * lend.lua on the donor (its counter and allotment down, the transfer journalled), then accept.lua on the home bucket
 * (up, once per id). A transfer is never lost: one that stopped between the two (a crash, a Redis error) stays in the
 * donor's journal, and {@link #repair} finishes it; one whose lend a failover lost while the recipient had it is
 * lent again by {@link #repair} from the recipient's journal. Units therefore only ever move towards the home bucket of
 * a buyer about to take them, or sit in the donor's journal until repaired.
 *
 * <p>With {@code REDIS_WAIT_REPLICAS} set, a lend waits for the donor's replicas like a new hold does for its own
 * ({@link ReplicaAck}; counted in {@code flashsale.redis.replica_acks} with the holds): in a sale whose buckets sit on
 * different shards, the hold's WAIT covers only its own node, and a lend a failover lost would leave the units in both
 * buckets until {@link #repair}. One no replica acknowledged in time is accepted anyway (and counted) with
 * {@link ReplicaAck.OnTimeout#ANSWER}: the recipient's buyer is waiting, and repair finishes what a failover undoes;
 * with {@link ReplicaAck.OnTimeout#REFUSE} it is undone on the donor at once and not used, as a hold would be refused.
 */
public final class StockTransfers {

    /**
     * Units moved between buckets, by {@code outcome}: borrowed, accepted_late, lent_again, deficit_covered; and
     * unacknowledged: lent, no replica acknowledged it in time, undone ({@code REDIS_WAIT_ON_TIMEOUT=refuse}).
     */
    public static final String METRIC = "flashsale.stock_transfers";

    private final RedisConnection redis;
    private final Random random;
    private final ReplicaAck replicaAck;
    private final SecureRandom ids = new SecureRandom();

    /** @param replicaAck how a lend waits for the donor's replicas ({@link ReplicaAck#NONE}: never) */
    public StockTransfers(RedisConnection redis, Random random, ReplicaAck replicaAck) {
        this.redis = redis;
        this.random = random;
        this.replicaAck = replicaAck;
    }

    public StockTransfers(RedisConnection redis, Random random) {
        this(redis, random, ReplicaAck.NONE);
    }

    public StockTransfers(RedisConnection redis, ReplicaAck replicaAck) {
        this(redis, new SecureRandom(), replicaAck);
    }

    public StockTransfers(RedisConnection redis) {
        this(redis, ReplicaAck.NONE);
    }

    /**
     * Moves up to {@code units} units into {@code home} from the sale's other buckets; a donor that cannot be reached is
     * passed over for the others.
     *
     * @return the units moved (fewer than asked when the other buckets together lacked them)
     * @throws DependencyUnavailableException when nothing was moved and a donor could not be reached
     */
    public int borrow(SaleKeys home, int count, int units) {
        int moved = move(home, count, units);
        count("borrowed", moved);
        return moved;
    }

    private int move(SaleKeys home, int count, int units) {
        List<SaleKeys> donors = new ArrayList<>(Buckets.all(home.saleId(), count));
        donors.remove(home);
        Collections.shuffle(donors, random);
        int moved = 0;
        DependencyUnavailableException unreachable = null;
        boolean unacknowledged = false;
        for (SaleKeys donor : donors) {
            if (moved >= units) {
                break;
            }
            String id = transferId();
            Lent lent;
            try {
                lent = lend(donor, home.bucket(), id, units - moved, "lend");
            } catch (DependencyUnavailableException e) {
                // The donor's shard cannot serve (its slot's breaker, in a cluster): the others may lend instead. A
                // lend it applied without answering stays in its journal, and repair moves those units here later.
                unreachable = e;
                continue;
            }
            if (lent.units() == 0) {
                continue;
            }
            if (!lent.acknowledged() && replicaAck.onTimeout() == ReplicaAck.OnTimeout.REFUSE) {
                // A failover of the donor now could lose the lend and leave the units in both buckets: undone at once
                // instead of used. If the undo is lost (or fails) and the lend kept, repair finishes the transfer.
                unacknowledged = true;
                try {
                    cancelLend(donor, id);
                    count("unacknowledged", lent.units());
                } catch (DependencyUnavailableException e) {
                    unreachable = e;
                }
                continue;
            }
            // The home bucket failing here ends the request: the lent units wait in the donor's journal for repair.
            accept(home, donor.bucket(), id, lent.units());
            moved += lent.units();
        }
        if (moved == 0 && unreachable != null) {
            // not "nothing to lend": the bucket that could not answer may hold the units
            throw unreachable;
        }
        if (moved == 0 && unacknowledged) {
            throw new DependencyUnavailableException(
                    "redis",
                    ReservationStore.REFUSED_RETRY_AFTER,
                    "no Redis replica acknowledged a transfer between the sale's buckets in time; nothing was reserved",
                    null);
        }
        return moved;
    }

    /** What a lend gave, and whether the donor's replicas acknowledged it (always, without {@code REDIS_WAIT_*}). */
    private record Lent(int units, boolean acknowledged) {}

    private Lent lend(SaleKeys donor, int to, String id, int units, String mode) {
        RedisConnection.Replicated result = redis.evalReplicated(
                LuaScript.LEND,
                List.of(donor.meta(), donor.stock(), donor.lent()),
                List.of(id, Integer.toString(to), Integer.toString(units), mode),
                replicaAck,
                StockTransfers::lent);
        List<?> reply = (List<?>) result.reply();
        return new Lent(lent(reply) ? (int) ScriptReply.number(reply.get(1)) : 0, result.acknowledged());
    }

    private void cancelLend(SaleKeys donor, String id) {
        redis.eval(LuaScript.LEND, List.of(donor.meta(), donor.stock(), donor.lent()), List.of(id, "0", "0", "cancel"));
    }

    private static boolean lent(Object reply) {
        return reply instanceof List<?> l && ScriptReply.text(l.get(0)).equals("LENT");
    }

    /** Whether the units were taken now (not before, and the bucket is loaded). */
    private boolean accept(SaleKeys recipient, int from, String id, int units) {
        List<?> reply = (List<?>) redis.eval(
                LuaScript.ACCEPT,
                List.of(recipient.meta(), recipient.stock(), recipient.received()),
                List.of(id, Integer.toString(from), Integer.toString(units)));
        return ScriptReply.text(reply.get(0)).equals("ACCEPTED");
    }

    /**
     * Finishes every transfer of the sale that stopped half-way: a lend journalled at least {@code settleMillis} ago
     * that its recipient has not accepted is accepted now (a late original finds it done); a transfer a recipient
     * accepted that its donor has no record of (a failover lost the lend) is lent again, exactly, even into a deficit.
     * Safe to run at any time and from several places: each half is applied once per transfer id.
     *
     * @return transfers finished (accepted late, or lent again)
     */
    public Repaired repair(String saleId, int count, long settleMillis) {
        if (count == 1) {
            return new Repaired(0, 0);
        }
        List<SaleKeys> buckets = Buckets.all(saleId, count);
        // This clock against the journal's (Redis'): an early replay is harmless (accept.lua applies a transfer once),
        // the delay only spares the work of replaying transfers still under way.
        long now = System.currentTimeMillis();
        // Every journal read once; a pair that looks unfinished is handed to its script, which applies a transfer id
        // once whatever this (possibly already stale) read says.
        List<Map<String, String>> lent = new ArrayList<>(count);
        List<Map<String, String>> received = new ArrayList<>(count);
        for (SaleKeys k : buckets) {
            lent.add(redis.call(k.lent(), c -> c.hgetAll(k.lent())));
        }
        for (SaleKeys k : buckets) {
            received.add(redis.call(k.received(), c -> c.hgetAll(k.received())));
        }
        int accepted = 0;
        int relent = 0;
        for (SaleKeys donor : buckets) {
            for (Map.Entry<String, String> e : lent.get(donor.bucket()).entrySet()) {
                TransferEntry t = TransferEntry.lent(e.getValue()).orElse(null);
                if (t == null // unreadable: the invariant checker reports it
                        || t.bucket() >= count
                        || now - t.at() < settleMillis
                        || received.get(t.bucket()).containsKey(e.getKey())) {
                    continue;
                }
                if (accept(buckets.get(t.bucket()), donor.bucket(), e.getKey(), (int) t.units())) {
                    accepted++;
                    count("accepted_late", t.units());
                }
            }
        }
        for (SaleKeys recipient : buckets) {
            for (Map.Entry<String, String> e : received.get(recipient.bucket()).entrySet()) {
                TransferEntry t = TransferEntry.received(e.getValue()).orElse(null);
                if (t == null || t.bucket() >= count || lent.get(t.bucket()).containsKey(e.getKey())) {
                    continue;
                }
                // read before this transfer began, or lost by the donor: lend.lua tells them apart by the id
                if (lend(buckets.get(t.bucket()), recipient.bucket(), e.getKey(), (int) t.units(), "replay")
                                .units()
                        > 0) {
                    relent++;
                    count("lent_again", t.units());
                }
            }
        }
        return new Repaired(accepted, relent);
    }

    /**
     * Pays back the deficits of the sale's buckets from the others' units: a bucket below zero (reconciliation found
     * that its buyers hold or bought more than its allotment, after a failover lost writes) borrows what it lacks, so
     * the sale's units are not offered in one bucket while another is owed them.
     *
     * @return units moved
     */
    public int coverDeficits(String saleId, int count) {
        if (count == 1) {
            return 0;
        }
        int moved = 0;
        for (SaleKeys k : Buckets.all(saleId, count)) {
            String v = redis.call(k.stock(), c -> c.get(k.stock()));
            long counter = v == null ? 0 : Long.parseLong(v);
            if (counter < 0) {
                moved += move(k, count, (int) -counter);
            }
        }
        count("deficit_covered", moved);
        return moved;
    }

    /** What {@link #repair} finished. */
    public record Repaired(int acceptedLate, int lentAgain) {
        public boolean any() {
            return acceptedLate > 0 || lentAgain > 0;
        }
    }

    private void count(String outcome, long units) {
        if (units > 0) {
            redis.telemetry().count(METRIC, outcome, units);
        }
    }

    private String transferId() {
        byte[] b = new byte[12];
        ids.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
