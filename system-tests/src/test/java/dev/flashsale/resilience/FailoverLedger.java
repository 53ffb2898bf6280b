package dev.flashsale.resilience;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the buyers of one failover run were told, thread-safe: every answer to every idempotency key, the reservations
 * answered {@code 201} (the promises), and counters by answer. Read after the crowd to check each promise.
 */
final class FailoverLedger {

    /** One answer a buyer got for a key. */
    record Answer(int status, String reservationId, String problem, boolean afterFailover) {}

    /** A reservation answered {@code 201}: a promise. */
    record Promise(
            String reservationId,
            String buyerId,
            String key,
            int quantity,
            long answeredAtNanos,
            boolean afterFailover) {}

    /** A buyer's idempotency key, and every answer it got (retries after a 503 and replays included). */
    record KeyRecord(String buyerId, String key, List<Answer> answers) {

        /** Distinct reservation ids answered (200 or 201) for this key, in order. */
        synchronized Set<String> ids() {
            Set<String> ids = new LinkedHashSet<>();
            for (Answer a : answers) {
                if (a.reservationId() != null && (a.status() == 200 || a.status() == 201)) {
                    ids.add(a.reservationId());
                }
            }
            return ids;
        }

        /** Whether a later answer refused a key that had been answered 201 (a replay told "sold out", say). */
        synchronized boolean refusedAfterPromise() {
            boolean promised = false;
            for (Answer a : answers) {
                promised |= a.status() == 201;
                if (promised && a.status() >= 400 && a.status() != 503 && a.status() != 429) {
                    return true;
                }
            }
            return false;
        }

        synchronized void add(Answer a) {
            answers.add(a);
        }
    }

    private final Map<String, KeyRecord> keys = new ConcurrentHashMap<>();
    private final Map<String, Promise> promises = new ConcurrentHashMap<>();
    /** reservation id → the key it was answered for (any 200/201) */
    private final Map<String, KeyRecord> byReservation = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger answeredAfterFailover = new AtomicInteger();
    private final AtomicLong lastPromiseNanos = new AtomicLong();
    private final List<String> unexpected = new ArrayList<>();

    /**
     * Records one answer and returns how many requests have been answered (anything but a 503 or 429) so far, counting
     * this one, or 0 when this answer does not count.
     */
    int record(
            String buyerId,
            String key,
            int quantity,
            int status,
            String reservationId,
            String problem,
            boolean afterFailover) {
        KeyRecord k = keys.computeIfAbsent(buyerId + "|" + key, x -> new KeyRecord(buyerId, key, new ArrayList<>()));
        k.add(new Answer(status, reservationId, problem, afterFailover));
        increment(label(status, problem));
        if (reservationId != null && (status == 200 || status == 201)) {
            byReservation.putIfAbsent(reservationId, k);
        }
        if (status == 201) {
            long now = System.nanoTime();
            promises.putIfAbsent(reservationId, new Promise(reservationId, buyerId, key, quantity, now, afterFailover));
            lastPromiseNanos.accumulateAndGet(now, Math::max);
        }
        if (status == 503 || status == 429) {
            return 0;
        }
        if (afterFailover) {
            answeredAfterFailover.incrementAndGet();
        }
        return answered.incrementAndGet();
    }

    void unexpected(String what) {
        increment("unexpected");
        synchronized (unexpected) {
            if (unexpected.size() < 10) {
                unexpected.add(what);
            }
        }
    }

    void increment(String what) {
        counts.computeIfAbsent(what, x -> new AtomicInteger()).incrementAndGet();
    }

    int count(String... what) {
        int n = 0;
        for (String w : what) {
            AtomicInteger c = counts.get(w);
            n += c == null ? 0 : c.get();
        }
        return n;
    }

    private static String label(int status, String problem) {
        return switch (status) {
            case 201 -> "201";
            case 200 -> "200";
            case 503 -> "503";
            case 409 ->
                problem != null && problem.endsWith("purchase-limit-exceeded")
                        ? "409 limit"
                        : problem != null && problem.endsWith("sold-out") ? "409 sold-out" : "409 other";
            default -> String.valueOf(status);
        };
    }

    int answered() {
        return answered.get();
    }

    int answeredAfterFailover() {
        return answeredAfterFailover.get();
    }

    long lastPromiseNanos() {
        return lastPromiseNanos.get();
    }

    Map<String, Promise> promises() {
        return promises;
    }

    /** The key a reservation id was answered for, if any answer named it. */
    KeyRecord keyOf(String reservationId) {
        return byReservation.get(reservationId);
    }

    List<KeyRecord> keys() {
        return List.copyOf(keys.values());
    }

    /** Keys answered with more than one reservation id (a replay or retry got a new reservation). */
    List<KeyRecord> keysWithSeveralIds() {
        return keys.values().stream().filter(k -> k.ids().size() > 1).toList();
    }

    List<KeyRecord> keysRefusedAfterPromise() {
        return keys.values().stream().filter(KeyRecord::refusedAfterPromise).toList();
    }

    Set<String> promisedIds() {
        return new HashSet<>(promises.keySet());
    }

    List<String> unexpectedAnswers() {
        synchronized (unexpected) {
            return List.copyOf(unexpected);
        }
    }
}
