package dev.flashsale.schedule;

import com.amazonaws.services.lambda.runtime.Context;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * How the invoker of a job on an EventBridge schedule runs it. The event carries nothing the job needs; a run is
 * bounded by the function's remaining time. Each run is one scheduled invocation in telemetry (its span and its runs
 * counter), which the job describes; the run's report is what the invocation answers.
 *
 * @param name    the invocation's span and log name ({@code "release run"})
 * @param counter the metric that counts runs by outcome ({@code "flashsale.release.runs"})
 */
public record ScheduledJob(String name, String counter, Clock clock, Telemetry telemetry) {

    /** Runs {@code job} with the deadline the function's remaining time sets, as one scheduled invocation. */
    public Map<String, Object> run(Context context, BiFunction<Instant, Invocation, Map<String, Object>> job) {
        Instant deadline = clock.instant().plus(Duration.ofMillis(context.getRemainingTimeInMillis()));
        return telemetry.scheduled(name, context, counter, invocation -> job.apply(deadline, invocation));
    }
}
