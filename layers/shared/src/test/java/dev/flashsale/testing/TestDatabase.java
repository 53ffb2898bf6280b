package dev.flashsale.testing;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbAccess;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbPassword;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.Migrations;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.net.Ports;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The PostgreSQL the tests use, migrated once per test JVM: {@code DATABASE_URL} (with {@code DB_USER},
 * {@code DB_PASSWORD}) if set; else the server on 127.0.0.1:5432 (user postgres, trust auth) with a dedicated database
 * {@code flashsale_test}, created if missing; else an embedded PostgreSQL. Tests isolate themselves with fresh sale ids,
 * never by deleting data.
 */
public final class TestDatabase {

    public static final String DATABASE = "flashsale_test";
    private static EmbeddedPostgres embedded;
    private static final DbSettings SETTINGS = resolve();

    static {
        Migrations.apply(SETTINGS.url(), SETTINGS.user(), SETTINGS.password());
    }

    private TestDatabase() {}

    private static DbSettings resolve() {
        String env = System.getenv("DATABASE_URL");
        if (env != null && !env.isBlank()) {
            return DbSettings.of(
                    env, orDefault(System.getenv("DB_USER"), "postgres"), orDefault(System.getenv("DB_PASSWORD"), ""));
        }
        if (Ports.listening("127.0.0.1", 5432)) {
            createDatabaseIfMissing("jdbc:postgresql://127.0.0.1:5432/postgres");
            return DbSettings.of("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "postgres", "");
        }
        try {
            embedded = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "no PostgreSQL at DATABASE_URL or 127.0.0.1:5432, and the embedded one did not start", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::stopEmbedded));
        System.err.println("[test] started embedded PostgreSQL on port " + embedded.getPort());
        return DbSettings.of(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "");
    }

    private static void createDatabaseIfMissing(String adminUrl) {
        try (Connection c = DriverManager.getConnection(adminUrl, "postgres", "");
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created meanwhile by a concurrent test run
                throw new IllegalStateException("could not create database " + DATABASE + ": " + e.getMessage(), e);
            }
        }
    }

    private static void stopEmbedded() {
        try {
            embedded.close();
        } catch (IOException ignored) {
            // the JVM is exiting
        }
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v;
    }

    public static DbSettings settings() {
        return SETTINGS;
    }

    /** A new connection (one per simulated execution environment); close it when done. */
    public static DbConnection connect() {
        return DbConnection.create(SETTINGS.withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(30)));
    }

    /**
     * A connection as a function's wiring builds it from {@code config} ({@code DATABASE_URL}, {@code DB_*},
     * {@code BREAKER_DB_*}), with no telemetry: for tests that put the database behind a fault proxy.
     */
    public static DbConnection connect(Config config) {
        DbAccess access = DbAccess.from(config);
        DbSettings s = access.settings();
        return new DbConnection(s, Breakers.db(access.breaker()), DbPassword.of(s), Telemetry.noop());
    }

    /** A plain JDBC connection in autocommit mode, for assertions and for simulating faults. */
    public static Connection jdbc() throws SQLException {
        return DriverManager.getConnection(SETTINGS.url(), SETTINGS.driverProperties());
    }

    /** Creates the sale in the database (price 19.99 USD). */
    public static Sale create(DbConnection db, Sale sale) {
        new SaleRepository(db).create(sale, 1999, "USD");
        return sale;
    }
}
