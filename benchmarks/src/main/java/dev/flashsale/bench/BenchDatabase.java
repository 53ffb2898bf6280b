package dev.flashsale.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** The benchmarks' own PostgreSQL database: made if missing, reached as the {@code postgres} user (trust auth). */
public final class BenchDatabase {

    private BenchDatabase() {}

    /** Connection properties of the {@code postgres} user. */
    public static Properties adminProperties() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return p;
    }

    /** Creates the database {@code url} names unless it exists (through the server's {@code postgres} database). */
    public static void createIfMissing(String url) {
        int slash = url.lastIndexOf('/');
        String name = url.substring(slash + 1).split("\\?")[0];
        String adminUrl = url.substring(0, slash) + "/postgres";
        try (Connection c = DriverManager.getConnection(adminUrl, adminProperties());
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE \"" + name.replace("\"", "") + "\"");
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) {
                throw new IllegalStateException(
                        "PostgreSQL at " + adminUrl + " (user postgres) is needed: " + e.getMessage(), e);
            }
        }
    }
}
