package dev.flashsale.bench;

import java.util.List;
import java.util.function.Predicate;

/**
 * One function under measurement: its module name ({@code functions/<name>}, zip {@code <name>-function.zip}), the
 * classes the runtime would load, the event type, how to build its invocation events, and what a successful response
 * looks like. Adding a function to the benchmark is one line in {@link #ALL}.
 */
record BenchFunction(String name, String handlerClass, String initClass, String eventClass, Events events,
                     Predicate<String> success) {

    private static final String API = "com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent";
    private static final String SQS = "com.amazonaws.services.lambda.runtime.events.SQSEvent";
    private static final String SCHEDULE = "com.amazonaws.services.lambda.runtime.events.ScheduledEvent";

    /** Builds {@code count} invocation events (JSON, one per element) against the benchmark's seeded data. */
    interface Events {
        List<String> build(BenchData data, int count) throws Exception;
    }

    static final List<BenchFunction> ALL = List.of(
            new BenchFunction("reserve", "dev.flashsale.reserve.ReserveInvoker", "dev.flashsale.reserve.ReserveInit", API,
                    SampleEvents::reserve, r -> r.contains("statusCode=201")),
            new BenchFunction("query", "dev.flashsale.query.ReservationQueryInvoker", "dev.flashsale.query.ReservationQueryInit", API,
                    SampleEvents::reservationStatus, r -> r.contains("statusCode=200")),
            new BenchFunction("confirm", "dev.flashsale.confirm.ConfirmInvoker", "dev.flashsale.confirm.ConfirmInit", SQS,
                    SampleEvents::confirmBatch, r -> r.contains("batchItemFailures=[]")),
            new BenchFunction("release", "dev.flashsale.release.ReleaseInvoker", "dev.flashsale.release.ReleaseInit", SCHEDULE,
                    SampleEvents::releaseSchedule, r -> r.contains("errors=0")));
}
