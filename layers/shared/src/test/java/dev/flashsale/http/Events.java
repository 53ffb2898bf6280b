package dev.flashsale.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

/** Builds API Gateway HTTP API (payload v2) events the way API Gateway fills them in. */
final class Events {

    private final APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> pathParameters = new LinkedHashMap<>();
    private final APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();

    private Events(String method, String path) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        context.setHttp(http);
        context.setRequestId("req-1");
        event.setRequestContext(context);
        event.setRawPath(path);
        event.setHeaders(headers);
        event.setPathParameters(pathParameters);
    }

    static Events post(String path) {
        return new Events("POST", path);
    }

    Events header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    Events pathParameter(String name, String value) {
        pathParameters.put(name, value);
        return this;
    }

    Events body(String body) {
        event.setBody(body);
        event.setIsBase64Encoded(false);
        return this;
    }

    Events base64Body(byte[] bytes) {
        event.setBody(Base64.getEncoder().encodeToString(bytes));
        event.setIsBase64Encoded(true);
        return this;
    }

    Events base64Body(String text) {
        return base64Body(text.getBytes(StandardCharsets.UTF_8));
    }

    Events rawBase64Body(String encoded) {
        event.setBody(encoded);
        event.setIsBase64Encoded(true);
        return this;
    }

    Events jwtSubject(String sub) {
        APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("sub", sub);
        jwt.setClaims(claims);
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        context.setAuthorizer(authorizer);
        return this;
    }

    APIGatewayV2HTTPEvent event() {
        return event;
    }

    HttpRequest request() {
        return new HttpRequest(event);
    }
}
