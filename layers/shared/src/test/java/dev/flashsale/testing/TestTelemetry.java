package dev.flashsale.testing;

import dev.flashsale.config.Config;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.telemetry.TelemetrySettings;
import java.util.Map;

/** Telemetry as an Init builds it, from variables a test gives instead of the process environment. */
public final class TestTelemetry {

    private TestTelemetry() {}

    /**
     * The pipeline the {@code OTEL_*} variables in {@code env} describe for {@code function}, with {@code env} as the
     * runtime's variables too (resource attributes); everything {@code none} gives {@link Telemetry#noop()}.
     */
    public static Telemetry from(Map<String, String> env, String function) {
        return Telemetry.create(TelemetrySettings.from(Config.of(env), function), env, function);
    }
}
