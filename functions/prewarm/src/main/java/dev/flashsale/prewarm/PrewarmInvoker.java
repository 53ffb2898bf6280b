package dev.flashsale.prewarm;

import dev.flashsale.schedule.ScheduledInvoker;
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
public final class PrewarmInvoker extends ScheduledInvoker {

    private final PrewarmHandler handler;

    /** Used by the Lambda runtime: the environment's one {@link PrewarmInit}'s invoker. */
    public PrewarmInvoker() {
        this(PrewarmInit.LAMBDA.get().invoker());
    }

    private PrewarmInvoker(PrewarmInvoker built) {
        super(built.job());
        this.handler = built.handler;
    }

    public PrewarmInvoker(PrewarmHandler handler, Clock clock, Telemetry telemetry) {
        super(new ScheduledJob("prewarm run", "flashsale.prewarm.runs", clock, telemetry));
        this.handler = handler;
    }

    @Override
    protected Map<String, Object> run(Instant deadline, Invocation invocation) {
        PrewarmReport report = handler.run(deadline);
        invocation
                .outcome(
                        !report.didRun()
                                ? "skipped"
                                : report.lostLease() ? "lease_lost" : report.errors() > 0 ? "errors" : "done")
                .attribute("flashsale.prewarm.loaded", report.loadedSales().size())
                .attribute("flashsale.prewarm.reconciled", report.corrections().size());
        telemetry()
                .count(
                        "flashsale.reconciliation.corrections",
                        "corrected",
                        report.corrections().size());
        return report.toMap();
    }
}
