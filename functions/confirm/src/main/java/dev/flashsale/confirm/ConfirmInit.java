package dev.flashsale.confirm;

import dev.flashsale.telemetry.Telemetry;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.OrderFence;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.HoldClaims;

/**
 * Everything the ConfirmFunction builds once per execution environment, before the SnapStart snapshot: config, the
 * Redis client, the one database connection, the handler. Registers both connections as CRaC resources (closed
 * before the snapshot, reopened on first use) and primes the path without changing data.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_USER},
 * {@code DB_PASSWORD}, {@code DB_CONNECT_TIMEOUT}, {@code DB_SOCKET_TIMEOUT} (see {@link DbSettings}), {@code CLAIM_TTL}
 * (default 2m).
 */
public final class ConfirmInit {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmInit.class);
    private static final String PRIME_SALE = "__prime__";

    private static volatile ConfirmInit instance;

    private final RedisConnection redis;
    private final DbConnection db;
    private final HoldClaims claims;
    private final ConfirmHandler handler;
    private final Telemetry telemetry;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ConfirmInit(Config config) {
        this(config, Telemetry.fromConfig(config, "confirm"));
    }

    public ConfirmInit(Config config, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.claims = HoldClaims.from(redis, config);
        this.handler = new ConfirmHandler(claims, new OrderFence(db));
    }

    public static ConfirmInit instance() {
        ConfirmInit i = instance;
        if (i == null) {
            synchronized (ConfirmInit.class) {
                i = instance;
                if (i == null) {
                    i = new ConfirmInit(Config.fromEnv());
                    i.registerCracResources();
                    i.prime();
                    instance = i;
                }
            }
        }
        return i;
    }

    public ConfirmHandler handler() {
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

    /**
     * Loads classes and scripts: parses a message and claims a reservation that does not exist (claim.lua answers
     * UNKNOWN before writing anything), and opens the database connection. Outages at init are logged, not fatal.
     */
    public void prime() {
        ConfirmationMessage message = ConfirmationMessage.fromJson("""
                {"version":1,"reservationId":"__prime__","saleId":"__prime__","buyerId":"prime","quantity":1,\
                "heldAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-01T00:10:00Z"}""");
        try {
            claims.loadScripts(PRIME_SALE);
            telemetry.quietly(() -> claims.claim(message.saleId(), message.reservationId()));
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
