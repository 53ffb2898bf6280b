package dev.flashsale.testing;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import java.util.HashMap;
import java.util.Map;
import redis.clients.jedis.params.RestoreParams;

/**
 * What a promoted replica that missed the latest writes holds, for one sale: {@link #capture} copies every key of the
 * sale (DUMP, with its remaining TTL); {@link #restore} puts them back as they were and deletes the ones that did not
 * exist, so Redis forgets everything written in between, as after a failover to a lagging replica.
 */
public final class RedisRollback {

    private final RedisConnection redis;
    private final SaleKeys keys;
    private final Map<String, byte[]> dumps = new HashMap<>();
    private final Map<String, Long> ttls = new HashMap<>();

    private RedisRollback(RedisConnection redis, String saleId) {
        this.redis = redis;
        this.keys = new SaleKeys(saleId);
    }

    public static RedisRollback capture(RedisConnection redis, String saleId) {
        RedisRollback r = new RedisRollback(redis, saleId);
        redis.call(c -> {
            for (String key : r.keys.all()) {
                byte[] dump = c.dump(key);
                if (dump != null) {
                    r.dumps.put(key, dump);
                    r.ttls.put(key, Math.max(0, c.pttl(key)));
                }
            }
            return null;
        });
        return r;
    }

    public void restore() {
        redis.call(c -> {
            for (String key : keys.all()) {
                byte[] dump = dumps.get(key);
                if (dump == null) {
                    c.del(key);
                } else {
                    c.restore(
                            key,
                            ttls.get(key),
                            dump,
                            RestoreParams.restoreParams().replace());
                }
            }
            return null;
        });
    }
}
