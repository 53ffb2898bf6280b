package dev.flashsale.release;

import dev.flashsale.schedule.ScheduledInvoker;
import dev.flashsale.schedule.ScheduledJob;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ReleaseFunction's Lambda handler (EventBridge schedule). The event carries nothing the job needs; the run is
 * bounded by the function's remaining time and {@link ReleaseSettings}. Returns the run's summary.
 */
public final class ReleaseInvoker extends ScheduledInvoker {

    private final ReleaseHandler handler;
    private final PaymentDeadlines deadlines;

    /** Used by the Lambda runtime: the environment's one {@link ReleaseInit}'s invoker. */
    public ReleaseInvoker() {
        this(ReleaseInit.LAMBDA.get().invoker());
    }

    private ReleaseInvoker(ReleaseInvoker built) {
        super(built.job());
        this.handler = built.handler;
        this.deadlines = built.deadlines;
    }

    public ReleaseInvoker(ReleaseHandler handler, PaymentDeadlines deadlines, Clock clock, Telemetry telemetry) {
        super(new ScheduledJob("release run", "flashsale.release.runs", clock, telemetry));
        this.handler = handler;
        this.deadlines = deadlines;
    }

    @Override
    protected Map<String, Object> run(Instant deadline, Invocation invocation) {
        ReleaseSummary s = handler.run(deadline);
        PaymentDeadlines.Summary d = deadlines.run(deadline);
        invocation
                .outcome(s.errors() + d.errors() > 0 ? "errors" : s.exhausted() || d.exhausted() ? "exhausted" : "done")
                .attribute("flashsale.release.sales", s.sales())
                .attribute("flashsale.release.holds_released", s.holdsReleased())
                .attribute("flashsale.release.holds_confirmed", s.holdsConfirmed())
                .attribute("flashsale.release.claims_confirmed", s.claimsConfirmed())
                .attribute("flashsale.release.claims_released", s.claimsReleased())
                .attribute("flashsale.release.orders_cancelled", d.ordersCancelled());
        Telemetry telemetry = telemetry();
        telemetry.count("flashsale.releases", "hold_released", s.holdsReleased());
        telemetry.count("flashsale.releases", "hold_confirmed", s.holdsConfirmed());
        telemetry.count("flashsale.releases", "claim_confirmed", s.claimsConfirmed());
        telemetry.count("flashsale.releases", "claim_released", s.claimsReleased());
        telemetry.count("flashsale.releases", "order_cancelled", d.ordersCancelled());
        Map<String, Object> report = new LinkedHashMap<>(s.toMap());
        report.putAll(d.toMap());
        return report;
    }
}
