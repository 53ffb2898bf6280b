package dev.flashsale.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.telemetry.Invocation;
import dev.flashsale.telemetry.Telemetry;
import java.util.function.BiFunction;

/** How every HTTP invoker serves one API Gateway event. */
public final class HttpInvocations {

    private HttpInvocations() {}

    /**
     * Serves {@code event} as one HTTP invocation in {@code telemetry} (counted in {@code counter}): {@code route} gets
     * the request and the invocation to describe; its problems are answered as problem+json ({@link HttpErrors#answer}).
     */
    public static APIGatewayV2HTTPResponse serve(
            Telemetry telemetry,
            APIGatewayV2HTTPEvent event,
            Context context,
            String counter,
            BiFunction<HttpRequest, Invocation, APIGatewayV2HTTPResponse> route) {
        return telemetry.http(event, context, counter, invocation -> {
            HttpRequest http = new HttpRequest(event);
            return HttpErrors.answer(http, () -> route.apply(http, invocation));
        });
    }
}
