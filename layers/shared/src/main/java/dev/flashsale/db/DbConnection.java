package dev.flashsale.db;

import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.telemetry.Telemetry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution environment's one database connection (a Lambda environment runs one invocation at a time, so a pool
 * would only add idle connections to RDS Proxy). Opened on first use, replaced when it breaks, closed before a
 * SnapStart snapshot. Calls are serialized, so tests and the local runner may share one instance between threads.
 */
public final class DbConnection implements Resource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DbConnection.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final DbSettings settings;
    private final CircuitBreaker breaker;
    private final DbPassword password;
    private final Telemetry telemetry;
    private final Attributes spanAttributes;
    private Connection connection;

    /**
     * @param breaker   the {@code db} breaker ({@link Breakers#db})
     * @param password  asked once per new connection (an IAM token lives 15 minutes; a connection longer)
     * @param telemetry a client span per transaction, and the breaker's state transitions counted
     */
    public DbConnection(DbSettings settings, CircuitBreaker breaker, DbPassword password, Telemetry telemetry) {
        this.settings = settings;
        this.breaker = breaker;
        this.password = password;
        this.telemetry = telemetry;
        this.spanAttributes = Attributes.builder()
                .put("db.system", "postgresql")
                .put("db.system.name", "postgresql")
                .build();
        telemetry.watch(breaker);
    }

    /** A connection with a default {@code db} breaker, password login and no telemetry (tools and tests). */
    public static DbConnection create(DbSettings settings) {
        return new DbConnection(
                settings,
                Breakers.db(BreakerSettings.ofDefaults(DbAccess.SLOW_CALL)),
                DbPassword.of(settings),
                Telemetry.noop());
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public DbSettings settings() {
        return settings;
    }

    /**
     * Runs {@code work} in one transaction and commits it (work that decides not to write rolls back itself). When
     * the connection breaks (including a connection that died while idle or across a snapshot restore) it is replaced
     * and the work runs once more, which is why work must be idempotent: a failure during COMMIT leaves it unknown
     * whether the first run took effect.
     *
     * <p>Runs through the {@code db} circuit breaker: while it is open the call fails at once, without waiting for a
     * connect timeout.
     *
     * @throws DependencyUnavailableException when the database cannot be reached, or its breaker is open
     * @throws DatabaseException              when the database refuses a statement
     */
    public <T> T transaction(SqlWork<T> work) {
        return transaction("transaction", work);
    }

    /**
     * {@link #transaction(SqlWork)} in a client span named {@code name} ({@code db.system=postgresql}), e.g.
     * {@code order.confirm}.
     */
    public <T> T transaction(String name, SqlWork<T> work) {
        if (!telemetry.tracing()) {
            return transactionInBreaker(work);
        }
        return telemetry.span(
                name,
                SpanKind.CLIENT,
                spanAttributes.toBuilder().put("db.operation.name", name).build(),
                () -> transactionInBreaker(work));
    }

    private <T> T transactionInBreaker(SqlWork<T> work) {
        return Breakers.call(
                breaker,
                () -> transactionWithRetry(work),
                () -> new DependencyUnavailableException(
                        "db", Breakers.retryAfter(breaker), "database circuit breaker is open", null));
    }

    private synchronized <T> T transactionWithRetry(SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection c = open();
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (!isConnectionFailure(e, c)) {
                    throw new DatabaseException("statement failed", e);
                }
                reset();
                if (attempt >= 2) {
                    throw unavailable(e);
                }
                LOG.warn("database connection broke ({}); reconnecting and retrying once", e.getMessage());
            } catch (RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    private Connection open() {
        try {
            if (connection == null || connection.isClosed()) {
                Connection c = DriverManager.getConnection(settings.url(), settings.driverProperties(loginPassword()));
                c.setAutoCommit(false);
                connection = c;
            }
            return connection;
        } catch (SQLException e) {
            reset();
            throw unavailable(e);
        }
    }

    private String loginPassword() {
        try {
            return password.next();
        } catch (RuntimeException e) { // no AWS credentials to sign an IAM token with: as good as unreachable
            throw new DependencyUnavailableException(
                    "db", RETRY_AFTER, "no database login for " + settings.redacted() + ": " + e, e);
        }
    }

    private DependencyUnavailableException unavailable(SQLException e) {
        return new DependencyUnavailableException(
                "db", RETRY_AFTER, "database unavailable at " + settings.redacted() + ": " + e.getMessage(), e);
    }

    /** Connection-level failures (SQLState class 08, server shutdown 57P0x) or a connection the driver has closed. */
    static boolean isConnectionFailure(SQLException e, Connection c) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P0"))) {
            return true;
        }
        try {
            return c.isClosed();
        } catch (SQLException ignored) {
            return true;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is broken; reset() replaces it
        }
    }

    private void reset() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    @Override
    public synchronized void close() {
        reset();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        close();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // reopened by the next transaction
    }
}
