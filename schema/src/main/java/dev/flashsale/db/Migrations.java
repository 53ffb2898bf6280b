package dev.flashsale.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The schema's versioned migrations ({@code classpath:db/migration/V*__*.sql}), applied with Flyway. Called by tests,
 * local runs and the MigrateFunction (a deploy step); never at the cold start of a hot function. This module
 * ({@code flashsale-schema}) depends on nothing of the shared layer, so the layer's own tests can migrate with it, and
 * neither Flyway nor the migrations ship in the layer. Flyway takes a session-level advisory lock
 * while it migrates, so run it against the cluster endpoint, not through RDS Proxy (where it would pin).
 */
public final class Migrations {

    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    /** Applies pending migrations; concurrent callers wait for each other. Returns the number applied. */
    public static int apply(String url, String user, String password) {
        MigrateResult result = Flyway.configure()
                .dataSource(url, user, password)
                .locations(LOCATION)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
