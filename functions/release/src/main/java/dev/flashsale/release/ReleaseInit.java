package dev.flashsale.release;

import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;

import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;

/**
 * Everything the ReleaseFunction builds once per execution environment: config, the Redis client, the one database
 * connection, the handler; both connections registered as CRaC resources.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_*} (see
 * {@link DbSettings}), {@code RELEASE_*} (see {@link ReleaseSettings}), and {@code CLAIM_TTL} is read but unused here (this job never claims; it reads claim
 * deadlines that the ConfirmFunction set).
 */
public final class ReleaseInit {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseInit.class);
    private static final String PRIME_SALE = "__prime__";

    private static volatile ReleaseInit instance;

    private final RedisConnection redis;
    private final DbConnection db;
    private final HoldClaims claims;
    private final ReleaseHandler handler;
    private final Telemetry telemetry;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ReleaseInit(Config config) {
        this(config, Telemetry.fromConfig(config, "release"));
    }

    public ReleaseInit(Config config, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.claims = HoldClaims.from(redis, config);
        this.handler = new ReleaseHandler(new SaleRepository(db), new ReservationStore(redis, ReservationPolicy.from(config)),
                claims, new OrderFence(db), ReleaseSettings.from(config), Clock.systemUTC());
    }

    public static ReleaseInit instance() {
        ReleaseInit i = instance;
        if (i == null) {
            synchronized (ReleaseInit.class) {
                i = instance;
                if (i == null) {
                    i = new ReleaseInit(Config.fromEnv());
                    i.registerCracResources();
                    i.prime();
                    instance = i;
                }
            }
        }
        return i;
    }

    public ReleaseHandler handler() {
        return handler;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public void registerCracResources() {
        for (Resource r : new Resource[] {redis, db, telemetry}) {
            Core.getGlobalContext().register(r);
        }
    }

    /** Loads the scripts and opens the database connection; outages at init are logged, not fatal. */
    public void prime() {
        try {
            claims.loadScripts(PRIME_SALE);
            telemetry.quietly(() -> claims.expiredHolds(PRIME_SALE, 1));
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
        try {
            db.transaction(c -> c.isValid(1));
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach the database at {}: {}", db.settings().redacted(), e.toString());
        }
    }
}
