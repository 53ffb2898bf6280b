package dev.flashsale.prewarm;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.flashsale.schedule.ScheduledJob;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * The PrewarmFunction's Lambda handler (EventBridge schedule). The event carries nothing the run needs; the run is
 * bounded by the function's remaining time. Returns the run's report.
 */
public final class PrewarmInvoker implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final PrewarmHandler handler;
    private final ScheduledJob job;

    /** Used by the Lambda runtime: the environment's one {@link PrewarmInit}'s invoker. */
    public PrewarmInvoker() {
        this(PrewarmInit.instance().invoker());
    }

    private PrewarmInvoker(PrewarmInvoker built) {
        this.handler = built.handler;
        this.job = built.job;
    }

    public PrewarmInvoker(PrewarmHandler handler, Clock clock, Telemetry telemetry) {
        this.handler = handler;
        this.job = new ScheduledJob("prewarm run", "flashsale.prewarm.runs", clock, telemetry);
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return job.run(context, this::run);
    }

    private Map<String, Object> run(Instant deadline, Invocation invocation) {
        PrewarmReport report = handler.run(deadline);
        invocation
                .outcome(
                        !report.didRun()
                                ? "skipped"
                                : report.lostLease() ? "lease_lost" : report.errors() > 0 ? "errors" : "done")
                .attribute("flashsale.prewarm.loaded", report.loadedSales().size())
                .attribute("flashsale.prewarm.reconciled", report.corrections().size());
        job.telemetry()
                .count(
                        "flashsale.reconciliation.corrections",
                        "corrected",
                        report.corrections().size());
        return report.toMap();
    }
}
