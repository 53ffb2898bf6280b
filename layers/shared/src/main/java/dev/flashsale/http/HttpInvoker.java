package dev.flashsale.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;

/**
 * The invoker of an HTTP API route: serves each API Gateway event as one HTTP invocation in telemetry (counted in its
 * counter); {@link #answer} gets the request and the invocation to describe, and its problems are answered as
 * problem+json ({@link HttpErrors#answer}).
 */
public abstract class HttpInvoker implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final String counter;
    private final Telemetry telemetry;

    /** @param counter the metric that counts the route's requests by outcome ({@code "flashsale.reservations"}) */
    protected HttpInvoker(String counter, Telemetry telemetry) {
        this.counter = counter;
        this.telemetry = telemetry;
    }

    /** The same counter and telemetry as {@code built} (the runtime's instance takes the one its Init built). */
    protected HttpInvoker(HttpInvoker built) {
        this(built.counter, built.telemetry);
    }

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return telemetry.http(event, context, counter, invocation -> {
            HttpRequest http = new HttpRequest(event);
            return HttpErrors.answer(http, () -> answer(http, invocation));
        });
    }

    /** Answers one request; a {@link ProblemException} becomes its problem+json answer. */
    protected abstract APIGatewayV2HTTPResponse answer(HttpRequest http, Invocation invocation);
}
