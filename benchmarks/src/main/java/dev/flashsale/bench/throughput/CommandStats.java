package dev.flashsale.bench.throughput;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Jedis;

/**
 * {@code INFO commandstats} of the Redis server: calls and microseconds per command since the server started. Redis 7
 * counts a command a script runs under its own name too, and the script's {@code evalsha} time includes it, so time is
 * added up over the commands a client sent, never over every line. Public for the cluster scaling benchmark, which
 * reads it from every master.
 */
public record CommandStats(Map<String, Long> calls, Map<String, Long> usec) {

    /** The commands whose time includes that of the commands they run. */
    public static final Set<String> SCRIPTS = Set.of("evalsha", "eval", "evalsha_ro", "eval_ro", "fcall");

    public static CommandStats read(Jedis info) {
        Map<String, Long> calls = new HashMap<>();
        Map<String, Long> usec = new HashMap<>();
        for (String line : info.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] kv = field.split("=");
                if (kv[0].equals("calls")) {
                    calls.put(name, Long.parseLong(kv[1]));
                } else if (kv[0].equals("usec")) {
                    usec.put(name, Long.parseLong(kv[1]));
                }
            }
        }
        return new CommandStats(calls, usec);
    }

    /** What happened between {@code before} and this snapshot. */
    public CommandStats minus(CommandStats before) {
        Map<String, Long> c = new HashMap<>();
        Map<String, Long> u = new HashMap<>();
        calls.forEach((k, v) -> {
            long d = v - before.calls.getOrDefault(k, 0L);
            if (d > 0) {
                c.put(k, d);
                u.put(k, usec.getOrDefault(k, 0L) - before.usec.getOrDefault(k, 0L));
            }
        });
        return new CommandStats(c, u);
    }

    public long calls(String command) {
        return calls.getOrDefault(command, 0L);
    }

    public long usec(String command) {
        return usec.getOrDefault(command, 0L);
    }

    public double usecPerCall(String command) {
        long n = calls(command);
        return n == 0 ? 0 : (double) usec(command) / n;
    }

    /** Microseconds of the scripts (evalsha, eval): what a script-only client cost the server. */
    public long scriptUsec() {
        return SCRIPTS.stream().mapToLong(this::usec).sum();
    }

    public long scriptCalls() {
        return SCRIPTS.stream().mapToLong(this::calls).sum();
    }
}
