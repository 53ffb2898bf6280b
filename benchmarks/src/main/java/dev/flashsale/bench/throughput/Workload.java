package dev.flashsale.bench.throughput;

/**
 * One way of selling units of one hot sale, driven by {@link Runner} from many threads. Each measurement starts with
 * {@link #prepare} (a fresh sale: new keys, a new row), then calls {@link #attempt} until told to stop, then
 * {@link #verify} and {@link #cleanup}.
 */
interface Workload {

    /** {@link #attempt}'s answer when the workload has nothing left to work on (the confirm path ran out of holds). */
    long EXHAUSTED = -1;

    /** The name in the table and the chart. */
    String name();

    /** A fresh sale with {@code stock} units, for up to {@code threads} client threads. */
    void prepare(int threads, long stock) throws Exception;

    /**
     * One reservation (or order) attempt from client thread {@code thread}, to its end.
     *
     * @return units sold by it; 0 when refused as sold out; {@link #EXHAUSTED}
     */
    long attempt(int thread) throws Exception;

    /**
     * Checks the stores against what the clients were told: no more units sold than stock, every counter agreeing.
     *
     * @param unitsSold units the clients were told they got, warm-up included
     * @param stock     the sale's stock
     * @return "OK ..." or "FAIL ..." with the figures
     */
    String verify(long unitsSold, long stock) throws Exception;

    /** The Redis commands this workload has sent so far, by commandstats name; empty when it uses no Redis. */
    default java.util.Map<String, Long> redisCalls() {
        return java.util.Map.of();
    }

    /** Removes the measurement's keys (rows stay in the benchmark's own database until the next run). */
    void cleanup() throws Exception;
}
