package dev.flashsale.query;

import dev.flashsale.telemetry.Telemetry;
import org.crac.Core;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReservationView;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;

/**
 * Built once per execution environment of the ReservationQueryFunction: config and the Redis client (closed before a
 * SnapStart snapshot, reopened on first use after restore).
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DEV_MODE} (default false).
 */
public final class QueryInit {

    private static final Logger LOG = LoggerFactory.getLogger(QueryInit.class);
    private static volatile QueryInit instance;

    private final RedisConnection redis;
    private final ReservationQueryHandler handler;
    private final boolean devMode;
    private final Telemetry telemetry;

    public QueryInit(Config config) {
        this.telemetry = Telemetry.fromConfig(config, "query");
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.handler = new ReservationQueryHandler(new ReservationStore(redis, ReservationPolicy.from(config)));
        this.devMode = config.bool("DEV_MODE", false);
    }

    public static QueryInit instance() {
        QueryInit i = instance;
        if (i == null) {
            synchronized (QueryInit.class) {
                i = instance;
                if (i == null) {
                    i = new QueryInit(Config.fromEnv());
                    Core.getGlobalContext().register(i.redis);
                    Core.getGlobalContext().register(i.telemetry);
                    i.prime();
                    instance = i;
                }
            }
        }
        return i;
    }

    public ReservationQueryHandler handler() {
        return handler;
    }

    public boolean devMode() {
        return devMode;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public RedisConnection redis() {
        return redis;
    }

    /** Looks up a reservation that cannot exist, to load the read path's classes and open a connection. */
    public void prime() {
        try {
            handler.find("__prime__", "__prime__", "__prime__").ifPresent(r -> HttpResponses.json(200, ReservationView.of(r), java.util.Map.of()));
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
    }
}
