package dev.flashsale.init;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import dev.flashsale.telemetry.TelemetrySettings;
import dev.flashsale.telemetry.log.JsonLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.Level;

/**
 * What every function's init reads alike.
 *
 * @param function  the function's short name ({@code reserve}, {@code confirm}, ...): the default {@code service.name}
 *                  and the {@code function} dimension of its metrics
 * @param telemetry {@code OTEL_*}, {@code METRICS_NAMESPACE} (see {@link TelemetrySettings})
 * @param logLevel  {@code LOG_LEVEL}, else {@code AWS_LAMBDA_LOG_LEVEL} (Lambda's advanced logging controls); default
 *                  {@code INFO}; one of TRACE, DEBUG, INFO, WARN, ERROR
 * @param priming   {@code PRIMING}, default true: prime the hot path before the SnapStart snapshot; {@code false} only to
 *                  measure what priming buys
 * @param runtime   the variables the Lambda runtime sets about the environment ({@code AWS_LAMBDA_FUNCTION_NAME}, ...),
 *                  as telemetry's resource attributes
 */
public record InitSettings(
        String function, TelemetrySettings telemetry, Level logLevel, boolean priming, Map<String, String> runtime) {

    /** Set by the Lambda runtime, never by the template. */
    public static final List<String> RUNTIME = List.of(
            "AWS_REGION",
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE");

    public static final Set<String> VARIABLES = Variables.union(
            TelemetrySettings.VARIABLES, RUNTIME, Variables.of("LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL", "PRIMING"));

    public static InitSettings from(Config config, String function) {
        Map<String, String> runtime = new LinkedHashMap<>();
        for (String name : RUNTIME) {
            config.optional(name).ifPresent(v -> runtime.put(name, v));
        }
        String level = config.string("LOG_LEVEL", config.string("AWS_LAMBDA_LOG_LEVEL", "INFO"));
        return new InitSettings(
                function,
                TelemetrySettings.from(config, function),
                level(level),
                config.bool("PRIMING", true),
                Map.copyOf(runtime));
    }

    private static Level level(String raw) {
        Level level = JsonLog.parse(raw, null);
        if (level == null) {
            throw new ConfigException("LOG_LEVEL must be TRACE, DEBUG, INFO, WARN or ERROR, was '" + raw + "'");
        }
        return level;
    }
}
