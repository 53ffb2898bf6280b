package dev.flashsale.migrate;

import dev.flashsale.config.Config;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.init.Once;
import dev.flashsale.telemetry.Telemetry;

/**
 * Built once per execution environment of the MigrateFunction. Nothing connects here: the database is reached only
 * when CloudFormation asks, so a snapshot (SnapStart) holds no connection, and there is no hot path to prime.
 */
public final class MigrateInit extends FunctionInit {

    private static final Once<MigrateInit> INSTANCE = new Once<>(() -> FunctionInit.start(from(Config.fromEnv())));

    private final MigrateInvoker invoker;

    public MigrateInit(MigrateEnvironment env, Telemetry telemetry) {
        super(env.init(), telemetry);
        this.invoker = new MigrateInvoker(new MigrateHandler(env.db()), CustomResourceResponder.create());
    }

    /** As Lambda builds it: from {@code config}, telemetry as its {@code OTEL_*} settings say (none in the template). */
    public static MigrateInit from(Config config) {
        MigrateEnvironment env = MigrateEnvironment.from(config);
        return new MigrateInit(env, telemetry(env.init()));
    }

    /** The execution environment's instance, built on first use (during the Lambda init phase). */
    public static MigrateInit instance() {
        return INSTANCE.get();
    }

    public MigrateInvoker invoker() {
        return invoker;
    }

    /** Migrations run once per deploy, from a cold environment; nothing is worth priming. */
    @Override
    protected void primePaths() {}
}
