package dev.flashsale.testing;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Everything Redis holds for one sale (and given extra keys), to prove that a request changed nothing. */
public final class RedisSnapshot {

    private RedisSnapshot() {}

    public static Map<String, Object> of(RedisConnection redis, String saleId, List<String> extraKeys) {
        SaleKeys k = new SaleKeys(saleId);
        Map<String, Object> snap = new TreeMap<>();
        redis.call(c -> {
            for (String key : concat(k.all(), extraKeys)) {
                String type = c.type(key);
                Object value = switch (type) {
                    case "none" -> null;
                    case "string" -> c.get(key);
                    case "hash" -> new TreeMap<>(c.hgetAll(key));
                    case "zset" -> c.zrangeWithScores(key, 0, -1).toString();
                    case "list" -> c.lrange(key, 0, -1);
                    default -> type;
                };
                snap.put(key, value);
            }
            return null;
        });
        return snap;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
