package dev.flashsale.confirm;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.flashsale.config.Config;
import dev.flashsale.crac.Once;
import dev.flashsale.crac.FunctionInit;
import dev.flashsale.crac.PrimeSamples;
import dev.flashsale.crac.Priming;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.telemetry.Telemetry;

/**
 * Everything the ConfirmFunction builds once per execution environment, before the SnapStart snapshot: config, the
 * Redis client, the one database connection, the handler. Registers both connections as CRaC resources (closed
 * before the snapshot, reopened on first use) and primes the path without changing data.
 *
 * <p>Environment: {@code REDIS_*} (see {@link RedisSettings}), {@code DATABASE_URL}, {@code DB_USER},
 * {@code DB_PASSWORD}, {@code DB_CONNECT_TIMEOUT}, {@code DB_SOCKET_TIMEOUT} (see {@link DbSettings}), {@code CLAIM_TTL}
 * (default 5m), {@code OTEL_*} and {@code LOG_LEVEL} (see {@link Telemetry}), {@code PRIMING} (default true; see {@link Priming}).
 */
public final class ConfirmInit extends FunctionInit {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmInit.class);
    private static final Once<ConfirmInit> INSTANCE = new Once<>(() -> FunctionInit.start(Config.fromEnv(), ConfirmInit::new));

    private final RedisConnection redis;
    private final DbConnection db;
    private final HoldClaims claims;
    private final ConfirmHandler handler;

    /** Telemetry from the {@code OTEL_*} entries of {@code config} (none by default). */
    public ConfirmInit(Config config) {
        this(config, Telemetry.fromConfig(config, "confirm"));
    }

    public ConfirmInit(Config config, Telemetry telemetry) {
        super(telemetry);
        this.redis = RedisConnection.fromConfig(config, telemetry);
        this.db = DbConnection.fromConfig(config, telemetry);
        this.claims = HoldClaims.from(redis, config);
        this.handler = new ConfirmHandler(claims, new OrderFence(db));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static ConfirmInit instance() {
        return INSTANCE.get();
    }

    public ConfirmHandler handler() {
        return handler;
    }

    public RedisConnection redis() {
        return redis;
    }

    public DbConnection db() {
        return db;
    }

    @Override
    protected Resource[] cracResources() {
        return new Resource[] {redis, db};
    }

    /**
     * Runs the invocation path once: an SQS batch whose one message names a reservation of the prime sale goes through
     * the invoker, message parsing and the handler to claim.lua, which answers UNKNOWN before it writes anything; then
     * settle.lua for it (UNKNOWN, no change). Then the database connection is opened and a read of the prime
     * sale runs through the same JDBC path (a string and a timestamp parameter) an order takes.
     * Outages at init are logged, not fatal.
     */
    @Override
    protected void primePaths() {
        try {
            claims.loadScripts(PrimeSamples.SALE_ID);
        } catch (RuntimeException e) {
            LOG.warn("priming could not load the scripts into Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("prime");
        record.setBody(ConfirmationMessage.of(PrimeSamples.reservation()).toJson());
        record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(record));
        SQSBatchResponse answer = new ConfirmInvoker(handler).handleRequest(event, null);
        if (!answer.getBatchItemFailures().isEmpty()) {
            LOG.warn("priming the confirm path failed its message (is Redis reachable at {}?)", redis.settings().redacted());
        }
        try {
            // settle.lua answers UNKNOWN for a reservation that does not exist, before any change
            claims.follow(PrimeSamples.SALE_ID, PrimeSamples.RESERVATION_ID, new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach Redis at {}: {}", redis.settings().redacted(), e.toString());
        }
        try {
            db.transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT stock FROM sales WHERE id = ? AND starts_at <= ?")) {
                    ps.setString(1, PrimeSamples.SALE_ID);
                    ps.setTimestamp(2, Timestamp.from(PrimeSamples.reservation().createdAt()));
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("priming could not reach the database at {}: {}", db.settings().redacted(), e.toString());
        }
    }
}
