package dev.flashsale.bench;

import java.util.List;
import java.util.function.Predicate;

/**
 * One function under measurement: its name in the report, its module ({@code functions/<module>}, zip
 * {@code <module>-function.zip}; one module may host several functions), the classes the runtime would load, the event
 * type, how to build its invocation events, and what a successful response looks like. Adding a function to the
 * benchmark is one line in {@link #ALL}.
 */
record BenchFunction(
        String name,
        String module,
        String handlerClass,
        String initClass,
        String eventClass,
        Events events,
        Predicate<String> success) {

    private static final String API = "com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent";
    private static final String SQS = "com.amazonaws.services.lambda.runtime.events.SQSEvent";
    private static final String SCHEDULE = "com.amazonaws.services.lambda.runtime.events.ScheduledEvent";

    /** Builds {@code count} invocation events (JSON, one per element) against the benchmark's seeded data. */
    interface Events {
        List<String> build(BenchData data, int count) throws Exception;
    }

    static final List<BenchFunction> ALL = List.of(
            new BenchFunction(
                    "reserve",
                    "reserve",
                    "dev.flashsale.reserve.ReserveInvoker",
                    "dev.flashsale.reserve.ReserveInit",
                    API,
                    SampleEvents::reserve,
                    r -> r.contains("statusCode=201")),
            new BenchFunction(
                    "query",
                    "query",
                    "dev.flashsale.query.ReservationQueryInvoker",
                    "dev.flashsale.query.ReservationQueryInit",
                    API,
                    SampleEvents::reservationStatus,
                    r -> r.contains("statusCode=200")),
            new BenchFunction(
                    "confirm",
                    "confirm",
                    "dev.flashsale.confirm.ConfirmInvoker",
                    "dev.flashsale.confirm.ConfirmInit",
                    SQS,
                    SampleEvents::confirmBatch,
                    r -> r.contains("batchItemFailures=[]")),
            new BenchFunction(
                    "release",
                    "release",
                    "dev.flashsale.release.ReleaseInvoker",
                    "dev.flashsale.release.ReleaseInit",
                    SCHEDULE,
                    SampleEvents::releaseSchedule,
                    r -> r.contains("errors=0")),
            new BenchFunction(
                    "sale-status",
                    "query",
                    "dev.flashsale.query.SaleStatusInvoker",
                    "dev.flashsale.query.SaleStatusInit",
                    API,
                    SampleEvents::saleStatus,
                    r -> r.contains("statusCode=200")),
            new BenchFunction(
                    "admin",
                    "admin",
                    "dev.flashsale.admin.AdminInvoker",
                    "dev.flashsale.admin.AdminInit",
                    API,
                    SampleEvents::adminGetSale,
                    r -> r.contains("statusCode=200")),
            new BenchFunction(
                    "prewarm",
                    "prewarm",
                    "dev.flashsale.prewarm.PrewarmInvoker",
                    "dev.flashsale.prewarm.PrewarmInit",
                    SCHEDULE,
                    SampleEvents::prewarmSchedule,
                    r -> r.contains("ran=true") && r.contains("errors=0")),
            new BenchFunction(
                    "waiting-room",
                    "waiting-room",
                    "dev.flashsale.waitingroom.WaitingRoomInvoker",
                    "dev.flashsale.waitingroom.WaitingRoomInit",
                    API,
                    SampleEvents::joinQueue,
                    r -> r.contains("statusCode=201")),
            new BenchFunction(
                    "payment",
                    "payment",
                    "dev.flashsale.orders.PaymentInvoker",
                    "dev.flashsale.orders.PaymentInit",
                    API,
                    SampleEvents::payOrder,
                    r -> r.contains("statusCode=200")));
}
