package dev.flashsale.schedule;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.time.Instant;
import java.util.Map;

/**
 * The invoker of a job on an EventBridge schedule ({@link ScheduledJob}): each run is one scheduled invocation, bounded
 * by the function's remaining time; the run's report is what the invocation answers.
 */
public abstract class ScheduledInvoker implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final ScheduledJob job;

    protected ScheduledInvoker(ScheduledJob job) {
        this.job = job;
    }

    @Override
    public final Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return job.run(context, this::run);
    }

    /** One run, to finish before {@code deadline}; describes itself on {@code invocation} and returns its report. */
    protected abstract Map<String, Object> run(Instant deadline, Invocation invocation);

    /** The job as the runtime's instance takes it from the one its function's Init built. */
    protected final ScheduledJob job() {
        return job;
    }

    protected final Telemetry telemetry() {
        return job.telemetry();
    }
}
