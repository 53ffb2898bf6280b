package dev.flashsale.bench.throughput;

import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.confirm.MessageResult;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Refusal;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.reserve.ReserveHandler;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.sale.SaleLoader;
import dev.flashsale.sale.SaleLoading;
import dev.flashsale.sale.SaleSync;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** This stack's own paths, through its classes, on the real Redis and PostgreSQL. */
final class StackWorkloads {

    private StackWorkloads() {}

    /** The production policy's rate limit (5 per buyer, 1/s); every attempt is a new buyer, as in a crowd. */
    static final ReservationPolicy POLICY =
            new ReservationPolicy(Duration.ofMinutes(30), 5, 1.0, Duration.ofMinutes(10), Duration.ofSeconds(5));

    /**
     * The reserve path: {@link ReservationStore#reserve} (reserve.lua, one EVALSHA) per attempt, each a new buyer and
     * idempotency key, quantity 1. Keeps its holds for {@link Confirm}.
     */
    static class Reserve implements Workload {
        final Stores stores;
        final RedisConnection redis;
        final ReservationStore store;
        final AtomicLong seq = new AtomicLong();
        final Calls calls = new Calls();
        Sale sale;
        Queue<Reservation> holds = new ConcurrentLinkedQueue<>();
        boolean keepForConfirm;

        Reserve(Stores stores, RedisConnection redis) {
            this.stores = stores;
            this.redis = redis;
            this.store = new ReservationStore(redis, POLICY, ReplicaAck.NONE);
        }

        @Override
        public String name() {
            return "stack reserve (ReservationStore)";
        }

        @Override
        public void prepare(int threads, long stock) {
            sale = stores.createSale(stores.freshId("sale"), stock);
            new SaleCache(redis, POLICY.retention()).load(sale);
            redis.loadScripts(sale.id());
            holds = new ConcurrentLinkedQueue<>();
        }

        ReserveOutcome reserve(ReserveRequest request) {
            return store.reserve(request);
        }

        @Override
        public long attempt(int thread) {
            long n = seq.incrementAndGet();
            calls.add("evalsha");
            ReserveOutcome outcome = reserve(new ReserveRequest(sale.id(), "buyer-" + thread + "-" + n, "k" + n, 1));
            return switch (outcome) {
                case ReserveOutcome.Held h -> {
                    if (keepForConfirm) {
                        holds.add(h.reservation());
                    }
                    yield h.reservation().quantity();
                }
                case ReserveOutcome.Refused r when r.refusal() instanceof Refusal.SoldOut -> 0;
                case ReserveOutcome.Refused r -> throw new IllegalStateException("refused: " + r.refusal());
            };
        }

        @Override
        public String verify(long unitsSold, long stock) {
            SaleKeys k = new SaleKeys(sale.id());
            long counter = Long.parseLong(redis.call(c -> c.get(k.stock())));
            long records = redis.call(c -> c.hlen(k.reservations()));
            long held = redis.call(c -> c.zcard(k.holds()));
            boolean ok =
                    unitsSold <= stock && counter == stock - unitsSold && records == unitsSold && held == unitsSold;
            return String.format(
                    Locale.ROOT,
                    "%s: counter %d = stock %d - sold %d; %d reservations, %d in the holds set",
                    ok ? "OK" : "FAIL",
                    counter,
                    stock,
                    unitsSold,
                    records,
                    held);
        }

        @Override
        public java.util.Map<String, Long> redisCalls() {
            return calls.snapshot();
        }

        @Override
        public void cleanup() {
            if (!keepForConfirm) {
                unlinkSale(stores, sale);
            }
        }
    }

    static void unlinkSale(Stores stores, Sale sale) {
        SaleKeys k = new SaleKeys(sale.id());
        List<String> keys = new ArrayList<>(k.all());
        keys.add(k.claims());
        stores.unlink(keys);
    }

    /**
     * The reserve path through {@link ReserveHandler}: the store as above, then the confirmation message sent to a real
     * SQS-compatible queue in this JVM (the local runner's in-memory server or ElasticMQ), through the SDK as the function
     * sends it.
     */
    static final class Handler extends Reserve {
        private final SqsConfirmationQueue queue;
        private final Supplier<Long> queued;
        private final String queueName;
        private ReserveHandler handler;
        private DbConnection db;

        Handler(
                Stores stores,
                RedisConnection redis,
                SqsConfirmationQueue queue,
                String queueName,
                Supplier<Long> queued) {
            super(stores, redis);
            this.queue = queue;
            this.queueName = queueName;
            this.queued = queued;
        }

        @Override
        public String name() {
            return "stack reserve (ReserveHandler + " + queueName + ")";
        }

        @Override
        public void prepare(int threads, long stock) {
            super.prepare(threads, stock);
            if (db != null) {
                db.close();
            }
            db = stores.db();
            handler = new ReserveHandler(
                    store,
                    queue,
                    new ExpiringIds(Clock.systemUTC(), Duration.ofSeconds(1)),
                    new SaleLoader(
                            redis,
                            new SaleSync(redis, new SaleRepository(db), POLICY.retention()),
                            Clock.systemUTC(),
                            new SaleLoading(Duration.ofSeconds(5), Duration.ofSeconds(2))));
        }

        @Override
        ReserveOutcome reserve(ReserveRequest request) {
            return handler.reserve(request);
        }

        @Override
        public String verify(long unitsSold, long stock) {
            String store = super.verify(unitsSold, stock);
            long messages = queued.get();
            boolean ok = messages == unitsSold;
            return (ok ? store : store.replaceFirst("^OK", "FAIL"))
                    + String.format(Locale.ROOT, "; %d confirmation messages queued", messages);
        }
    }

    /**
     * The confirm path. Per message ({@code batch} 1): {@link ConfirmHandler#confirm} of a version-2 message (claim.lua,
     * the database fence {@link OrderFence#confirm}, a transaction of one, settle.lua), as the ConfirmFunction does for a
     * batch of one record. Batched ({@code batch} > 1): {@link ConfirmHandler#confirmAll} of up to {@code batch}
     * messages of the sale per call, as the ConfirmFunction does for one SQS batch (claim-batch.lua, one transaction
     * {@link OrderFence#confirmAll}, settle-batch.lua); a call's latency is its batch's. One database connection per
     * client thread, as one per Lambda environment; the Redis pool shared. Messages come from memory (no queue receive
     * or delete).
     */
    static final class Confirm implements Workload {
        final Stores stores;
        final RedisConnection redis;
        final Reserve reserve;
        final Calls calls = new Calls();
        final List<DbConnection> dbs = new ArrayList<>();
        final List<ConfirmHandler> handlers = new ArrayList<>();
        Queue<Reservation> holds;
        Sale sale;
        long holdsAtStart;
        final AtomicLong refused = new AtomicLong();
        final int batch;

        Confirm(Stores stores, RedisConnection redis, Reserve reserve, int batch) {
            this.stores = stores;
            this.redis = redis;
            this.reserve = reserve;
            this.batch = batch;
        }

        @Override
        public String name() {
            return batch == 1 ? "stack confirm (per message)" : "stack confirm (batched)";
        }

        /** Takes over the holds the last {@link Reserve} run made (its sale: {@code stock} is ignored). */
        @Override
        public void prepare(int threads, long stock) {
            sale = reserve.sale;
            holds = reserve.holds;
            holdsAtStart = holds.size();
            refused.set(0);
            HoldClaims claims = new HoldClaims(redis, Duration.ofMinutes(5), Duration.ofMinutes(30));
            while (handlers.size() < threads) {
                DbConnection db = stores.db();
                dbs.add(db);
                handlers.add(new ConfirmHandler(claims, new OrderFence(db)));
            }
        }

        @Override
        public long attempt(int thread) {
            if (batch > 1) {
                return attemptBatch(thread);
            }
            Reservation r = holds.poll();
            if (r == null) {
                return EXHAUSTED;
            }
            calls.add("evalsha", 2);
            ConfirmOutcome outcome = handlers.get(thread).confirm(ConfirmationMessage.of(r));
            if (outcome != ConfirmOutcome.CONFIRMED) {
                refused.incrementAndGet();
                throw new IllegalStateException("confirm answered " + outcome + " for " + r.id());
            }
            return r.quantity();
        }

        private long attemptBatch(int thread) {
            List<ConfirmationMessage> messages = new ArrayList<>(batch);
            long units = 0;
            for (Reservation r; messages.size() < batch && (r = holds.poll()) != null; ) {
                messages.add(ConfirmationMessage.of(r));
                units += r.quantity();
            }
            if (messages.isEmpty()) {
                return EXHAUSTED;
            }
            calls.add("evalsha", 2);
            List<MessageResult> results = handlers.get(thread).confirmAll(messages);
            for (int i = 0; i < results.size(); i++) {
                if (!(results.get(i) instanceof MessageResult.Acknowledged a)
                        || a.outcome() != ConfirmOutcome.CONFIRMED) {
                    refused.incrementAndGet();
                    throw new IllegalStateException("confirmAll answered " + results.get(i) + " for "
                            + messages.get(i).reservationId());
                }
            }
            return units;
        }

        /** The database's sold counter, its orders and Redis's claims set against what the confirmers were told. */
        @Override
        public String verify(long unitsSold, long stock) {
            long[] db = stores.soldAndOrdered(sale.id());
            SaleKeys k = new SaleKeys(sale.id());
            long claims = redis.call(c -> c.zcard(k.claims()));
            long stillHeld = redis.call(c -> c.zcard(k.holds()));
            boolean ok = db[0] == unitsSold
                    && db[2] == unitsSold
                    && db[0] <= db[1]
                    && claims == 0
                    && stillHeld == holds.size();
            return String.format(
                    Locale.ROOT,
                    "%s: sales.sold %d = orders %d = confirmed %d (stock %d); %d claims left, %d holds left of %d",
                    ok ? "OK" : "FAIL",
                    db[0],
                    db[2],
                    unitsSold,
                    db[1],
                    claims,
                    stillHeld,
                    holdsAtStart);
        }

        @Override
        public java.util.Map<String, Long> redisCalls() {
            return calls.snapshot();
        }

        @Override
        public void cleanup() {
            unlinkSale(stores, sale);
            reserve.holds = new ConcurrentLinkedQueue<>();
        }

        void close() {
            dbs.forEach(DbConnection::close);
        }
    }
}
