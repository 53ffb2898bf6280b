package dev.flashsale.local.schedule;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.flashsale.local.function.EventLoop;
import dev.flashsale.local.function.FunctionException;
import dev.flashsale.local.function.FunctionHost;
import dev.flashsale.local.template.LocalResources;
import dev.flashsale.local.template.SamTemplate.ScheduleSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;

/**
 * One {@code Schedule} event: invokes the function with an EventBridge {@link ScheduledEvent} each time the expression
 * fires. A firing that comes while the previous invocation still runs is skipped (EventBridge would start a second
 * environment; this runner has one per function).
 */
public final class Scheduler implements AutoCloseable {

    private final ScheduleSpec spec;
    private final ScheduleExpression expression;
    private final FunctionHost function;
    private final String region;
    private final EventLoop thread;
    private final Instant startedAt = Instant.now();

    public Scheduler(ScheduleSpec spec, ScheduleExpression expression, FunctionHost function, String region) {
        this.spec = spec;
        this.expression = expression;
        this.function = function;
        this.region = region;
        this.thread = new EventLoop("schedule-" + spec.functionId() + "-" + spec.eventName(), this::loop);
    }

    public Scheduler start() {
        thread.start();
        return this;
    }

    public String functionId() {
        return spec.functionId();
    }

    public ScheduleExpression expression() {
        return expression;
    }

    private void loop() {
        Instant last = startedAt;
        while (thread.running()) {
            Instant next = expression.next(startedAt, last);
            long wait = next.toEpochMilli() - System.currentTimeMillis();
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!thread.running()) {
                return;
            }
            try {
                function.invoke("schedule " + spec.eventName() + " " + expression, event(next), Scheduler::outcome);
            } catch (FunctionException e) {
                System.err.println(e.getMessage());
            }
            last = Instant.now().isAfter(next) ? Instant.now() : next;
        }
    }

    private ScheduledEvent event(Instant time) {
        ScheduledEvent e = new ScheduledEvent();
        e.setId(UUID.randomUUID().toString());
        e.setVersion("0");
        e.setDetailType("Scheduled Event");
        e.setSource("aws.events");
        e.setAccount(LocalResources.ACCOUNT_ID);
        e.setRegion(region);
        e.setTime(new DateTime(time.toEpochMilli(), DateTimeZone.UTC));
        e.setResources(List.of("arn:aws:events:" + region + ":" + LocalResources.ACCOUNT_ID + ":rule/"
                + LocalResources.STACK_NAME + "-" + spec.functionId() + spec.eventName()));
        e.setDetail(Map.of());
        return e;
    }

    private static String outcome(Object result) {
        String s = result == null ? "ok" : "ok " + result;
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    @Override
    public void close() {
        thread.close();
    }
}
