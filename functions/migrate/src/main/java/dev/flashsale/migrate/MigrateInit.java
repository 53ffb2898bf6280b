package dev.flashsale.migrate;

import dev.flashsale.config.Config;
import dev.flashsale.db.DbSettings;

/**
 * Built once per execution environment of the MigrateFunction. Nothing connects here: the database is reached only
 * when CloudFormation asks, so a snapshot (SnapStart) holds no connection.
 *
 * <p>Environment: {@code DATABASE_URL} (the cluster writer endpoint), {@code DB_USER}, {@code DB_PASSWORD} (the master
 * user's), {@code DB_CONNECT_TIMEOUT}, {@code DB_SOCKET_TIMEOUT} (see {@link DbSettings}).
 */
public final class MigrateInit {

    private static volatile MigrateInit instance;

    private final MigrateHandler handler;
    private final CustomResourceResponder responder;

    public MigrateInit(Config config) {
        this.handler = new MigrateHandler(DbSettings.from(config));
        this.responder = CustomResourceResponder.create();
    }

    public static MigrateInit instance() {
        MigrateInit i = instance;
        if (i == null) {
            synchronized (MigrateInit.class) {
                i = instance;
                if (i == null) {
                    i = new MigrateInit(Config.fromEnv());
                    instance = i;
                }
            }
        }
        return i;
    }

    public MigrateHandler handler() {
        return handler;
    }

    public CustomResourceResponder responder() {
        return responder;
    }
}
