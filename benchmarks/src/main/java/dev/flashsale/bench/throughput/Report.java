package dev.flashsale.bench.throughput;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints as it goes and keeps the text for results.txt. */
final class Report {

    private final StringBuilder text = new StringBuilder();

    void line(String s) {
        System.out.println(s);
        System.out.flush();
        text.append(s).append('\n');
    }

    String text() {
        return text.toString();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    void table(Map<String, Map<Integer, Runner.Result>> results, int n, Runner.Result handler) {
        Runner.Result minimal = get(results, "limit: minimal script", n);
        Runner.Result pg1 = get(results, "limit: PostgreSQL 1 order/txn", n);
        Runner.Result pg10 = get(results, "limit: PostgreSQL 10 orders/txn", n);
        Runner.Result reserve = get(results, "stack reserve (ReservationStore)", n);
        Runner.Result confirm = get(results, "stack confirm (per message)", n);
        Runner.Result batched = get(results, "stack confirm (batched)", n);
        Runner.Result rowLock = get(results, "(a) DB row lock", n);
        Runner.Result setNx = get(results, "(b) SET NX lock", n);
        Runner.Result decr = get(results, "(c) DECRBY + compensation", n);

        line("");
        line(f(
                "One hot sale, %d client threads (units/s: units sold or ordered per second of the measured window)",
                n));
        line("");
        line(
                "| path | units/s | p50 ms | p99 ms | Redis µs/unit | client CPU µs/unit | stack reserve ÷ this | check |");
        line("|---|---:|---:|---:|---:|---:|---:|---|");
        for (Runner.Result r : new Runner.Result[] {minimal, pg1, pg10, reserve, handler, confirm, batched}) {
            row(r, reserve);
        }
        for (Runner.Result r : new Runner.Result[] {rowLock, setNx, decr}) {
            row(r, reserve);
        }

        line("");
        line("Redis time (INFO commandstats deltas over each measured window; scripts' inner commands are inside their"
                + " evalsha time):");
        double minUs = us(minimal);
        double reserveUs = us(reserve);
        double confirmUs = us(confirm);
        double perMessageLifecycle = reserveUs + confirmUs;
        double batchedUs = us(batched);
        double batchedLifecycle = reserveUs + batchedUs;
        // the lifecycle the function runs: batched when it was measured
        double lifecycle = Double.isNaN(batchedUs) ? perMessageLifecycle : batchedLifecycle;
        line(f("  minimal script            %6.1f µs per call = per unit", minUs));
        line(f("  reserve.lua               %6.1f µs per call = per unit", reserveUs));
        line(f("  claim.lua + settle.lua    %6.1f µs per unit (%.1f µs per call)", confirmUs, confirmUs / 2));
        if (batched != null) {
            double unitsPerCall = batched.ops() == 0 ? 0 : batched.units() / (double) batched.ops();
            line(f(
                    "  claim-batch + settle-batch %5.1f µs per unit (%.1f µs per call, %.1f units per batch)",
                    batchedUs, batchedUs * unitsPerCall / 2, unitsPerCall));
        }
        line(f(
                "  stack lifecycle, per message %6.1f µs per unit sold (reserve + claim + settle)",
                perMessageLifecycle));
        if (batched != null) {
            line(f(
                    "  stack lifecycle, batched %6.1f µs per unit sold (reserve + claim-batch + settle-batch)",
                    batchedLifecycle));
        }
        line(f(
                "  reserve.lua alone is %.1fx the minimal script; the lifecycle %.1fx",
                reserveUs / minUs, lifecycle / minUs));
        if (setNx != null) {
            line(f(
                    "  (b) SET NX lock           %6.1f µs per unit (lock tries, GET, SET, HSET, release script)",
                    us(setNx)));
        }
        if (decr != null) {
            line(f("  (c) DECRBY + compensation %6.1f µs per unit", us(decr)));
        }
        for (Runner.Result r : new Runner.Result[] {minimal, reserve, handler, confirm, batched, setNx, decr}) {
            if (r != null && r.foreignShare() > 0.02) {
                line(f(
                        "  note: %.0f%% of the calls of its commands during '%s' were other clients' (shared server):"
                                + " they move the mean µs per call its figure uses",
                        r.foreignShare() * 100, r.series()));
            }
        }
        line("");
        line("Ratios (same run, same servers):");
        ratio("stack reserve / (a) DB row lock", reserve, rowLock);
        ratio("stack reserve / (b) SET NX lock", reserve, setNx);
        ratio("stack reserve / (c) DECRBY + compensation", reserve, decr);
        ratio("stack reserve / minimal script (limit)", reserve, minimal);
        if (handler != null) {
            ratio("ReserveHandler + queue / stack reserve (store)", handler, reserve);
            ratio("ReserveHandler + queue / (a) DB row lock", handler, rowLock);
            ratio("ReserveHandler + queue / (b) SET NX lock", handler, setNx);
        }
        ratio("stack confirm per message / PostgreSQL 1 order/txn (limit)", confirm, pg1);
        ratio("stack confirm per message / PostgreSQL 10 orders/txn (limit)", confirm, pg10);
        ratio("stack confirm batched / per message", batched, confirm);
        ratio("stack confirm batched / PostgreSQL 10 orders/txn (limit)", batched, pg10);
        ratio("PostgreSQL 10 orders/txn / 1 order/txn", pg10, pg1);

        line("");
        line("Issue 15 goals, as measured in this run:");
        goal("reserve path (ReservationStore) >= 10x (a) DB row lock", reserve, rowLock, 10);
        goal("reserve path (ReservationStore) >= 3x (b) SET NX lock", reserve, setNx, 3);
        if (handler != null) {
            goal("reserve path (ReserveHandler + queue) >= 10x (a) DB row lock", handler, rowLock, 10);
            goal("reserve path (ReserveHandler + queue) >= 3x (b) SET NX lock", handler, setNx, 3);
        }
        goal("batched confirm >= 5x per-message confirm", batched, confirm, 5);
        if (handler != null && reserve != null) {
            line(f(
                    "  note: ReserveHandler runs at %.1f%% of the store path and costs %.0f µs of this JVM's CPU per"
                            + " reservation against %.0f: the SDK send and the queue server in this JVM"
                            + " dominate it, so the store path is the Redis-side figure",
                    100 * handler.perSecond() / reserve.perSecond(),
                    handler.jvmCpuMicrosPerUnit(),
                    reserve.jvmCpuMicrosPerUnit()));
        }
        if (minUs > 0 && !Double.isNaN(lifecycle)) {
            double r = lifecycle / minUs;
            line(f(
                    "  Redis time per unit sold (lifecycle%s) within 2x of the minimal script's: %.1f / %.1f µs = %.2fx -> %s",
                    Double.isNaN(batchedUs) ? ", per message" : ", batched",
                    lifecycle,
                    minUs,
                    r,
                    r <= 2 ? "MET" : "NOT MET"));
            line(f(
                    "  (item 2) <= 60 µs of Redis time per unit over the lifecycle%s: %.1f µs -> %s",
                    Double.isNaN(batchedUs) ? ", per message" : ", batched",
                    lifecycle,
                    lifecycle <= 60 ? "MET" : "NOT MET"));
        }
    }

    void sweep(Map<String, Map<Integer, Runner.Result>> results, List<Integer> threads) {
        line("");
        line("Sweep: units/s by client threads");
        line("");
        StringBuilder head = new StringBuilder("| path |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int t : threads) {
            head.append(' ').append(t).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        results.forEach((series, byThreads) -> {
            if (byThreads.size() < 2) {
                return;
            }
            StringBuilder row = new StringBuilder("| " + series + " |");
            for (int t : threads) {
                Runner.Result r = byThreads.get(t);
                row.append(r == null ? " |" : f(" %.0f |", r.perSecond()));
            }
            line(row.toString());
        });
        ratioRow(
                results,
                threads,
                "stack reserve ÷ (a) DB row lock",
                "stack reserve (ReservationStore)",
                "(a) DB row lock");
        ratioRow(
                results,
                threads,
                "stack reserve ÷ (b) SET NX lock",
                "stack reserve (ReservationStore)",
                "(b) SET NX lock");
        ratioRow(
                results,
                threads,
                "stack reserve ÷ minimal script",
                "stack reserve (ReservationStore)",
                "limit: minimal script");
        line("");
        line(
                "Sweep: Redis µs per unit by client threads (commandstats time is wall time on Redis's main thread: it grows"
                        + " when the clients take the CPU Redis shares with them)");
        line("");
        line(head.toString());
        line(rule.toString());
        results.forEach((series, byThreads) -> {
            if (byThreads.size() < 2 || byThreads.values().stream().allMatch(r -> Double.isNaN(r.redisUsecPerUnit()))) {
                return;
            }
            StringBuilder row = new StringBuilder("| " + series + " |");
            for (int t : threads) {
                Runner.Result r = byThreads.get(t);
                row.append(r == null ? " |" : f(" %.1f |", r.redisUsecPerUnit()));
            }
            line(row.toString());
        });
    }

    private void ratioRow(
            Map<String, Map<Integer, Runner.Result>> results,
            List<Integer> threads,
            String label,
            String over,
            String under) {
        Map<Integer, Runner.Result> a = results.get(over);
        Map<Integer, Runner.Result> b = results.get(under);
        if (a == null || b == null || a.size() < 2) {
            return;
        }
        StringBuilder row = new StringBuilder("| " + label + " |");
        for (int t : threads) {
            Runner.Result x = a.get(t);
            Runner.Result y = b.get(t);
            row.append(
                    x == null || y == null || y.perSecond() == 0 ? " |" : f(" %.2fx |", x.perSecond() / y.perSecond()));
        }
        line(row.toString());
    }

    private void row(Runner.Result r, Runner.Result reserve) {
        if (r == null) {
            return;
        }
        String check = r.check().startsWith("OK") ? "OK" : r.check();
        if (r.errors() > 0) {
            check += f(" (%d errors: %s)", r.errors(), r.firstError());
        }
        if (r.exhausted()) {
            check += " (ran out of holds)";
        }
        line(f(
                "| %s | %.0f | %.2f | %.2f | %s | %.0f | %s | %s |",
                r.series(),
                r.perSecond(),
                r.p50Millis(),
                r.p99Millis(),
                Double.isNaN(r.redisUsecPerUnit()) ? "–" : f("%.1f", r.redisUsecPerUnit()),
                r.jvmCpuMicrosPerUnit(),
                reserve == null || r == reserve ? "–" : f("%.2fx", reserve.perSecond() / r.perSecond()),
                check));
    }

    private void ratio(String label, Runner.Result a, Runner.Result b) {
        if (a == null || b == null || b.perSecond() == 0) {
            return;
        }
        line(f(
                "  %-62s %8.2fx  (%.0f / %.0f units/s)",
                label, a.perSecond() / b.perSecond(), a.perSecond(), b.perSecond()));
    }

    private void goal(String label, Runner.Result a, Runner.Result b, double target) {
        if (a == null || b == null || b.perSecond() == 0) {
            line("  " + label + ": not measured");
            return;
        }
        double r = a.perSecond() / b.perSecond();
        line(f("  %s: %.2fx -> %s", label, r, r >= target ? "MET" : "NOT MET"));
    }

    private static double us(Runner.Result r) {
        return r == null ? Double.NaN : r.redisUsecPerUnit();
    }

    private static Runner.Result get(Map<String, Map<Integer, Runner.Result>> results, String series, int n) {
        Map<Integer, Runner.Result> m = results.get(series);
        return m == null ? null : m.get(n);
    }
}
