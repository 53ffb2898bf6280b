package dev.flashsale.bench.throughput;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

/**
 * The Redis-side designs measured beside the stack's reserve.lua, each on one Jedis pool, each recording a sold unit
 * as one hash field (the hold's record), so that they do the same useful work as the stack's hold minus its checks.
 */
final class RedisBaselines {

    private RedisBaselines() {}

    /** A record of about the size reserve.lua writes (id, buyer, quantity, status, times, key). */
    static String recordJson(String id, String buyer) {
        return "{\"id\":\"" + id + "\",\"buyer\":\"" + buyer
                + "\",\"qty\":1,\"status\":\"HELD\",\"created\":1764000000000,\"expires\":1764000600000,\"key\":\"k-"
                + id + "\"}";
    }

    /** Keys of one measurement: {@code tput:{id}:stock} and {@code tput:{id}:rec} (and a lock), one hash slot. */
    abstract static class Base implements Workload {
        final Stores stores;
        final RedisClient redis;
        final AtomicLong seq = new AtomicLong();
        static final String MARKER = "_expires";
        final Calls calls = new Calls();
        String stockKey;
        String recordKey;
        String lockKey;

        Base(Stores stores, RedisClient redis) {
            this.stores = stores;
            this.redis = redis;
        }

        @Override
        public void prepare(int threads, long stock) {
            String id = stores.freshId("redis");
            stockKey = "tput:{" + id + "}:stock";
            recordKey = "tput:{" + id + "}:rec";
            lockKey = "tput:{" + id + "}:lock";
            redis.set(stockKey, Long.toString(stock));
            redis.pexpire(stockKey, Stores.KEY_TTL.toMillis());
            // the records' hash exists from the start, with one marker field, so that it expires too if the run dies
            redis.hset(recordKey, MARKER, "");
            redis.pexpire(recordKey, Stores.KEY_TTL.toMillis());
        }

        String nextId(int thread) {
            return thread + "-" + seq.incrementAndGet();
        }

        void record(String id) {
            redis.hset(recordKey, id, recordJson(id, "b" + id));
        }

        /** Counter and records against what the clients were told; a negative counter or extra records fail. */
        @Override
        public String verify(long unitsSold, long stock) {
            long counter = Long.parseLong(redis.get(stockKey));
            long records = redis.hlen(recordKey) - 1; // the marker field
            boolean ok = unitsSold <= stock && counter == stock - unitsSold && records == unitsSold && counter >= 0;
            return String.format(
                    Locale.ROOT,
                    "%s: counter %d = stock %d - sold %d; %d records",
                    ok ? "OK" : "FAIL",
                    counter,
                    stock,
                    unitsSold,
                    records);
        }

        @Override
        public java.util.Map<String, Long> redisCalls() {
            return calls.snapshot();
        }

        @Override
        public void cleanup() {
            stores.unlink(List.of(stockKey, recordKey, lockKey));
        }
    }

    /** The limit: one script that takes the units if enough are left and records them (DECRBY-if-enough + HSET). */
    static final class MinimalScript extends Base {
        static final String SCRIPT = """
                local left = tonumber(redis.call('GET', KEYS[1]) or '0')
                local q = tonumber(ARGV[1])
                if left < q then return {0, left} end
                local remaining = redis.call('DECRBY', KEYS[1], q)
                redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
                return {1, remaining}""";

        private String sha;

        MinimalScript(Stores stores, RedisClient redis) {
            super(stores, redis);
        }

        @Override
        public String name() {
            return "limit: minimal script";
        }

        @Override
        public void prepare(int threads, long stock) {
            super.prepare(threads, stock);
            sha = redis.scriptLoad(SCRIPT, stockKey);
        }

        @Override
        public long attempt(int thread) {
            String id = nextId(thread);
            calls.add("evalsha");
            List<?> reply = (List<?>)
                    redis.evalsha(sha, List.of(stockKey, recordKey), List.of("1", id, recordJson(id, "b" + id)));
            return ((Long) reply.get(0)) == 1 ? 1 : 0;
        }
    }

    /**
     * (b) A lock: {@code SET lock token NX PX 1000}, then read the stock, check, write it back and record the unit, then
     * release the lock only if it is still ours (the compare-and-delete script). At its best: the write, the record and
     * the release go in one pipelined round trip; a client that finds the lock taken backs off 20–200 µs.
     */
    static final class SetNxLock extends Base {
        static final String UNLOCK =
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        private static final SetParams NX_PX = SetParams.setParams().nx().px(1000);
        private String unlockSha;
        final AtomicLong lockTries = new AtomicLong();
        final AtomicLong unlocks = new AtomicLong();
        final AtomicLong expired = new AtomicLong();

        SetNxLock(Stores stores, RedisClient redis) {
            super(stores, redis);
        }

        @Override
        public String name() {
            return "(b) SET NX lock";
        }

        @Override
        public void prepare(int threads, long stock) {
            super.prepare(threads, stock);
            unlockSha = redis.scriptLoad(UNLOCK, lockKey);
            lockTries.set(0);
            unlocks.set(0);
            expired.set(0);
        }

        @Override
        public long attempt(int thread) {
            String id = nextId(thread);
            String token = id;
            while (true) {
                lockTries.incrementAndGet();
                calls.add("set");
                if ("OK".equals(redis.set(lockKey, token, NX_PX))) {
                    break;
                }
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(20_000, 200_000));
            }
            long left = Long.parseLong(redis.get(stockKey));
            calls.add("get");
            unlocks.incrementAndGet();
            calls.add("evalsha");
            if (left < 1) {
                redis.evalsha(unlockSha, List.of(lockKey), List.of(token));
                return 0;
            }
            calls.add("set");
            calls.add("hset");
            try (AbstractPipeline p = redis.pipelined()) {
                p.set(stockKey, Long.toString(left - 1));
                p.hset(recordKey, id, recordJson(id, "b" + id));
                Response<Object> released = p.evalsha(unlockSha, List.of(lockKey), List.of(token));
                p.sync();
                if (((Long) released.get()) != 1) {
                    // the lock expired while we held it: another client may have read the same stock
                    expired.incrementAndGet();
                }
            }
            return 1;
        }

        @Override
        public String verify(long unitsSold, long stock) {
            return super.verify(unitsSold, stock)
                    + String.format(
                            Locale.ROOT,
                            "; %.2f lock tries per reservation, %d locks expired while held",
                            lockTries.get() / (double) Math.max(1, unlocks.get()),
                            expired.get());
        }
    }

    /**
     * (c) The seckill design: {@code DECRBY stock q}; when the result is negative, {@code INCRBY} it back and refuse;
     * otherwise record the unit (HSET; the real design sends an order message instead). Two round trips per sale.
     */
    static final class DecrCompensate extends Base {
        final AtomicLong compensations = new AtomicLong();

        DecrCompensate(Stores stores, RedisClient redis) {
            super(stores, redis);
        }

        @Override
        public String name() {
            return "(c) DECRBY + compensation";
        }

        @Override
        public void prepare(int threads, long stock) {
            super.prepare(threads, stock);
            compensations.set(0);
        }

        @Override
        public long attempt(int thread) {
            String id = nextId(thread);
            calls.add("decrby");
            long left = redis.decrBy(stockKey, 1);
            if (left < 0) {
                calls.add("incrby");
                redis.incrBy(stockKey, 1);
                compensations.incrementAndGet();
                return 0;
            }
            calls.add("hset");
            record(id);
            return 1;
        }

        @Override
        public String verify(long unitsSold, long stock) {
            return super.verify(unitsSold, stock) + "; " + compensations.get() + " compensations";
        }
    }
}
