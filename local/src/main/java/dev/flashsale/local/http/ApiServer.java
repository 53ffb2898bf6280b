package dev.flashsale.local.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flashsale.http.ProblemType;
import dev.flashsale.local.function.FunctionException;
import dev.flashsale.local.function.FunctionHost;
import dev.flashsale.local.template.SamTemplate.HttpRoute;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The template's HTTP API on localhost: each request is routed like API Gateway routes it, turned into a payload v2
 * event ({@link ApiEventBuilder}), handed to the route's function, and the function's status, headers, cookies and
 * body are sent back. An unknown route gets 404 problem+json, an invalid token 401 and a failed invocation 500, the
 * last two with API Gateway's own bodies.
 */
public final class ApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final RouteTable routes;
    private final Map<String, FunctionHost> functions;
    private final ApiEventBuilder events = new ApiEventBuilder(Clock.systemUTC(), "local");

    private ApiServer(
            HttpServer server, ExecutorService executor, RouteTable routes, Map<String, FunctionHost> functions) {
        this.server = server;
        this.executor = executor;
        this.routes = routes;
        this.functions = functions;
    }

    /**
     * @param port    0 for a free port
     * @param threads requests served at once (one function instance serves them all; see docs/local.md)
     */
    public static ApiServer start(
            String host, int port, int threads, List<HttpRoute> routes, Map<String, FunctionHost> functions)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ApiServer api = new ApiServer(server, executor, new RouteTable(routes), functions);
        server.setExecutor(executor);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves {@code path} and below with {@code handler} instead of the template's routes (the local dashboard). */
    public void mount(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
    }

    public RouteTable routes() {
        return routes;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String rawPath = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            String method = exchange.getRequestMethod();
            IncomingRequest request = new IncomingRequest(
                    method,
                    rawPath,
                    rawQuery == null ? "" : rawQuery,
                    new LinkedHashMap<>(exchange.getRequestHeaders()),
                    body,
                    exchange.getRemoteAddress().getAddress().getHostAddress());
            Optional<RouteTable.Match> match = routes.match(method, rawPath);
            if (match.isEmpty()) {
                send(exchange, 404, Map.of("content-type", "application/problem+json"), notFound(method, rawPath));
                return;
            }
            Map<String, String> claims = null;
            try {
                // IAM-authorized (admin) routes: no SigV4 locally; the function itself checks its ADMIN_TOKEN in dev
                // mode
                if (!match.get().route().iamAuth()) {
                    claims = DevToken.claims(exchange.getRequestHeaders().getFirst("Authorization"))
                            .orElse(null);
                }
            } catch (DevToken.InvalidTokenException e) {
                send(
                        exchange,
                        401,
                        Map.of(
                                "content-type",
                                "application/json",
                                "www-authenticate",
                                "Bearer error=\"invalid_token\""),
                        "{\"message\":\"Unauthorized\"}");
                return;
            }
            HttpRoute route = match.get().route();
            APIGatewayV2HTTPEvent event = events.build(request, match.get(), claims);
            FunctionHost host = functions.get(route.functionId());
            Object result;
            try {
                result = host.invoke("http " + method + " " + rawPath, event, ApiServer::status);
            } catch (FunctionException e) {
                send(
                        exchange,
                        500,
                        Map.of("content-type", "application/json"),
                        "{\"message\":\"Internal Server Error\"}");
                return;
            }
            respond(exchange, result);
        } catch (RuntimeException e) {
            System.err.println("local API: " + e);
            throw e;
        }
    }

    /** The status for the invocation line, with the problem type's slug of a refusal: {@code 409 sold-out}. */
    static String status(Object result) {
        if (!(result instanceof APIGatewayV2HTTPResponse r)) {
            return "200";
        }
        String status = Integer.toString(r.getStatusCode());
        if (r.getStatusCode() < 400 || r.getBody() == null || r.getIsBase64Encoded()) {
            return status;
        }
        try {
            String type = JSON.readTree(r.getBody()).path("type").asText("");
            return type.startsWith(ProblemType.TYPE_PREFIX)
                    ? status + " " + type.substring(ProblemType.TYPE_PREFIX.length())
                    : status;
        } catch (IOException e) {
            return status;
        }
    }

    private static void respond(HttpExchange exchange, Object result) throws IOException {
        if (!(result instanceof APIGatewayV2HTTPResponse r)) {
            // payload v2 without a structured response: API Gateway sends the value as a JSON 200
            send(exchange, 200, Map.of("content-type", "application/json"), JSON.writeValueAsString(result));
            return;
        }
        if (r.getMultiValueHeaders() != null) {
            r.getMultiValueHeaders()
                    .forEach((k, vs) ->
                            vs.forEach(v -> exchange.getResponseHeaders().add(k, v)));
        }
        if (r.getCookies() != null) {
            r.getCookies().forEach(c -> exchange.getResponseHeaders().add("set-cookie", c));
        }
        byte[] bytes = r.getBody() == null
                ? new byte[0]
                : r.getIsBase64Encoded()
                        ? Base64.getDecoder().decode(r.getBody())
                        : r.getBody().getBytes(StandardCharsets.UTF_8);
        send(exchange, r.getStatusCode(), r.getHeaders() == null ? Map.of() : r.getHeaders(), bytes);
    }

    private String notFound(String method, String rawPath) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "about:blank");
        p.put("title", "Not Found");
        p.put("status", 404);
        p.put(
                "detail",
                "no route of template.yaml matches " + method + " " + rawPath + "; routes: "
                        + String.join(
                                ", ",
                                routes.routes().stream()
                                        .map(HttpRoute::routeKey)
                                        .toList()));
        p.put("instance", rawPath);
        return p.toString();
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        send(exchange, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a whole response (no body for HEAD, 204 and 304). */
    public static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        boolean noBody =
                body.length == 0 || status == 204 || status == 304 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
