package dev.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.testing.RepoRoot;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stopped stack gives its functions' database connections back. Regression: they stayed open until the JVM exited
 * (each hosted function's Init keeps its connection, as in Lambda), and a test JVM starting a dozen stacks ran the
 * machine's PostgreSQL out of connections.
 */
class LocalStackCloseTest {

    @Test
    void closingTheStack_closesItsFunctionsDatabaseConnections() throws Exception {
        String url;
        String user;
        int running;
        try (LocalStack stack = LocalStack.start(
                LocalTesting.options(RepoRoot.template(), Map.of()).withQuiet(true))) {
            url = stack.services().db().url();
            user = stack.services().db().user();
            running = connections(url, user);
        }
        // the module's tests run one at a time in one JVM, and earlier stacks gave theirs back: none is left
        int[] after = new int[1];
        boolean given = LocalTesting.eventually(Duration.ofSeconds(10), () -> {
            try {
                after[0] = connections(url, user);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return after[0] == 0;
        });
        assertThat(running).as("the functions' connections while the stack ran").isPositive();
        assertThat(given)
                .as("connections left to the stack's database after close: %d (%d while it ran)", after[0], running)
                .isTrue();
    }

    /** Backends connected to the database at {@code url}, not counting the one asking. */
    private static int connections(String url, String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
