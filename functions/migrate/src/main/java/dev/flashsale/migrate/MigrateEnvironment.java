package dev.flashsale.migrate;

import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbSettings;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import java.util.Set;

/**
 * Everything the MigrateFunction reads from its environment, once, in its Init.
 *
 * @param db {@code DATABASE_URL} (the cluster writer endpoint, not the proxy), {@code DB_USER}, {@code DB_PASSWORD} (the
 *           master user's), {@code DB_CONNECT_TIMEOUT}, {@code DB_SOCKET_TIMEOUT} (see {@link DbSettings})
 */
public record MigrateEnvironment(InitSettings init, DbSettings db) implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(InitSettings.VARIABLES, DbSettings.VARIABLES);

    public static MigrateEnvironment from(Config config) {
        return new MigrateEnvironment(InitSettings.from(config, "migrate"), DbSettings.from(config));
    }
}
