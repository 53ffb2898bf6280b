package dev.flashsale.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.net.Ports;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DbConnectionTest {

    private static int backendPid(DbConnection db) {
        return db.transaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Test
    void transaction_reconnectsAfterTheConnectionWasKilled() throws Exception {
        try (DbConnection db = TestDatabase.connect()) {
            int before = backendPid(db);
            // the server drops the connection (failover, RDS Proxy idle timeout, restore from a snapshot)
            try (Connection admin = TestDatabase.jdbc();
                    Statement s = admin.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + before + ")");
            }
            Thread.sleep(100);
            int after = backendPid(db);
            assertThat(after).isNotEqualTo(before);
        }
    }

    @Test
    void passwordIsAskedOncePerNewConnection_soAnIamTokenIsNeverReusedForALaterLogin() throws Exception {
        java.util.List<String> issued = new java.util.concurrent.CopyOnWriteArrayList<>();
        DbPassword password = () -> {
            String token = "token-" + issued.size(); // the server trusts local logins; what matters is when it is asked
            issued.add(token);
            return token;
        };
        try (DbConnection db = loggingInWith(password)) {
            int first = backendPid(db);
            backendPid(db);
            backendPid(db);
            assertThat(issued)
                    .as("one login, one token, however many transactions")
                    .hasSize(1);
            try (Connection admin = TestDatabase.jdbc();
                    Statement st = admin.createStatement()) {
                st.execute("SELECT pg_terminate_backend(" + first + ")");
            }
            Thread.sleep(100);
            backendPid(db);
            assertThat(issued).as("the reconnect signs a new token").containsExactly("token-0", "token-1");
        }
    }

    @Test
    void aLoginThatCannotBeSigned_isADependencyOutage_notAnUnexpectedError() {
        DbPassword noCredentials = () -> {
            throw new IllegalStateException("Unable to load credentials from any of the providers in the chain");
        };
        try (DbConnection db = loggingInWith(noCredentials)) {
            assertThatThrownBy(() -> db.transaction(c -> 1))
                    .isInstanceOf(DependencyUnavailableException.class)
                    .hasMessageContaining("Unable to load credentials");
        }
    }

    @Test
    void transaction_whenTheDatabaseIsUnreachable_failsFastAsADependencyOutage() {
        int closedPort = Ports.free();
        DbSettings nowhere = DbSettings.of("jdbc:postgresql://127.0.0.1:" + closedPort + "/x", "postgres", "")
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (DbConnection db = DbConnection.create(nowhere)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> db.transaction(c -> 1))
                    .isInstanceOf(DependencyUnavailableException.class)
                    .hasMessageContaining("database unavailable at jdbc:postgresql://127.0.0.1:" + closedPort);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void statements_leaveNoNamedPreparedStatementOnTheServer() {
        // prepareThreshold=0: nothing that would pin an RDS Proxy connection, even for a statement run many times
        try (DbConnection db = TestDatabase.connect()) {
            long named = db.transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sales WHERE id = ?")) {
                    for (int i = 0; i < 10; i++) {
                        ps.setString(1, "x" + i);
                        ps.executeQuery().close();
                    }
                }
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_statements")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(named).isZero();
        }
    }

    @Test
    void transaction_mapsAStatementErrorToADatabaseException_andStaysUsable() {
        try (DbConnection db = TestDatabase.connect()) {
            assertThatThrownBy(
                            () -> db.transaction(c -> c.createStatement().executeQuery("SELECT * FROM no_such_table")))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("42P01");
            assertThat(backendPid(db)).isPositive();
        }
    }

    @Test
    void migrations_areAppliedOnce() {
        assertThat(Migrations.apply(
                        TestDatabase.settings().url(),
                        TestDatabase.settings().user(),
                        TestDatabase.settings().password()))
                .isZero();
    }

    /** A connection to the test database that asks {@code password} for each login; its breaker never opens. */
    private static DbConnection loggingInWith(DbPassword password) {
        return new DbConnection(
                TestDatabase.settings(),
                dev.flashsale.resilience.Breakers.create(
                        "db-test",
                        dev.flashsale.resilience.BreakerSettings.ofDefaults(Duration.ofSeconds(1)),
                        e -> false),
                password,
                dev.flashsale.telemetry.Telemetry.noop());
    }
}
