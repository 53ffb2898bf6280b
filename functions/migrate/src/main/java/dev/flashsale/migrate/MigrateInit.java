package dev.flashsale.migrate;

import dev.flashsale.config.Config;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.telemetry.Telemetry;

/**
 * Built once per execution environment of the MigrateFunction. Nothing connects here: the database is reached only
 * when CloudFormation asks, so a snapshot (SnapStart) holds no connection, and there is no hot path to prime.
 */
public final class MigrateInit extends FunctionInit<MigrateInvoker> {

    static final Once<MigrateInit> LAMBDA = perEnvironment(MigrateInit::from);

    public MigrateInit(MigrateEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        serve(noTelemetry -> new MigrateInvoker(new MigrateHandler(env.db()), CustomResourceResponder.create()));
    }

    public static MigrateInit from(Config config) {
        return build(MigrateEnvironment.from(config), MigrateInit::new);
    }

    /** Migrations run once per deploy, from a cold environment; nothing is worth priming. */
    @Override
    protected void primePaths() {}
}
