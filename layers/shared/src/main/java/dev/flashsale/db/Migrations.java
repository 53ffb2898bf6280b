package dev.flashsale.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import dev.flashsale.config.Config;

/**
 * The schema's versioned migrations ({@code classpath:db/migration/V*__*.sql}), applied with Flyway. Called by tests,
 * local runs and a deploy step; never at the cold start of a hot function. Flyway takes a session-level advisory lock
 * while it migrates, so run it against the cluster endpoint, not through RDS Proxy (where it would pin).
 */
public final class Migrations {

    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {
    }

    /** Applies pending migrations; concurrent callers wait for each other. Returns the number applied. */
    public static int apply(String url, String user, String password) {
        MigrateResult result = Flyway.configure()
                .dataSource(url, user, password)
                .locations(LOCATION)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }

    public static int apply(DbSettings settings) {
        return apply(settings.url(), settings.user(), settings.password());
    }

    /** Deploy step: {@code java -cp 'java/lib/*' dev.flashsale.db.Migrations} with DATABASE_URL, DB_USER, DB_PASSWORD set. */
    public static void main(String[] args) {
        DbSettings settings = DbSettings.from(Config.fromEnv());
        int applied = apply(settings);
        System.out.println("applied " + applied + " migration(s) to " + settings.redacted());
    }
}
