package dev.flashsale.migrate;

import dev.flashsale.db.DbSettings;
import dev.flashsale.db.Migrations;

/**
 * Applies the schema's pending migrations to the database in {@link DbSettings} (the Aurora cluster's writer endpoint,
 * never RDS Proxy: Flyway's session advisory lock would pin a proxy connection). Concurrent runs wait for each other.
 */
public final class MigrateHandler {

    private final DbSettings settings;

    public MigrateHandler(DbSettings settings) {
        this.settings = settings;
    }

    /** Returns how many migrations were applied (0 when the schema is current). */
    public int migrate() {
        return Migrations.apply(settings.url(), settings.user(), settings.password());
    }

    public String target() {
        return settings.redacted();
    }
}
