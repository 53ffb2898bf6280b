package dev.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.ApiGatewayEvent;
import dev.flashsale.http.ProblemType;
import dev.flashsale.json.Json;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The admin API through its invoker, wired by AdminInit from config, against the real PostgreSQL and Redis. */
class AdminApiTest {

    private static final String TOKEN = "local-admin-token-0123456789";
    private static AdminInvoker dev;
    private static AdminInvoker aws;
    private static DbConnection db;
    private static RedisConnection redis;

    @BeforeAll
    static void start() {
        dev = AdminInit.from(Config.of(env(Map.of("DEV_MODE", "true", "ADMIN_TOKEN", TOKEN))))
                .invoker();
        aws = AdminInit.from(Config.of(env(Map.of("DEV_MODE", "false", "ADMIN_TOKEN", TOKEN))))
                .invoker();
        db = TestDatabase.connect();
        redis = TestRedis.connect();
    }

    @AfterAll
    static void stop() {
        db.close();
        redis.close();
    }

    private static Map<String, String> env(Map<String, String> extra) {
        return TestStack.environment(extra);
    }

    private static String newId() {
        return "adm-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String at(Duration fromNow) {
        return Instant.now().plus(fromNow).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A valid create body for {@code id}, starting in an hour, with {@code overrides} applied (null removes). */
    static String saleJson(String id, Map<String, Object> overrides) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        m.put("item", "Limited sneaker");
        m.put("stock", 10);
        m.put("priceCents", 12999);
        m.put("currency", "USD");
        m.put("perBuyerLimit", 2);
        m.put("perOrderMax", 2);
        m.put("startsAt", at(Duration.ofHours(1)));
        m.put("endsAt", at(Duration.ofHours(2)));
        overrides.forEach((k, v) -> {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v);
            }
        });
        return Json.write(m);
    }

    static APIGatewayV2HTTPEvent request(
            String method, String route, String path, Map<String, String> params, String body, String authorization) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (authorization != null) {
            headers.put("authorization", authorization);
        }
        ApiGatewayEvent event = HttpApi.request(method, route, path, null)
                .pathParameters(params)
                .headers(headers);
        return (body == null ? event : event.body(body)).build();
    }

    private static APIGatewayV2HTTPResponse create(AdminInvoker invoker, String body, String authorization) {
        return invoker.handleRequest(
                request("POST", "/admin/sales", "/admin/sales", Map.of(), body, authorization), Lambda.context());
    }

    private static APIGatewayV2HTTPResponse create(String body) {
        return create(dev, body, "Bearer " + TOKEN);
    }

    private static APIGatewayV2HTTPResponse get(String saleId) {
        return dev.handleRequest(
                request(
                        "GET",
                        "/admin/sales/{saleId}",
                        "/admin/sales/" + saleId,
                        Map.of("saleId", saleId),
                        null,
                        "Bearer " + TOKEN),
                Lambda.context());
    }

    private static APIGatewayV2HTTPResponse addStock(String saleId, String body) {
        return dev.handleRequest(
                request(
                        "POST",
                        "/admin/sales/{saleId}/stock",
                        "/admin/sales/" + saleId + "/stock",
                        Map.of("saleId", saleId),
                        body,
                        "Bearer " + TOKEN),
                Lambda.context());
    }

    private static APIGatewayV2HTTPResponse list(Map<String, String> query) {
        APIGatewayV2HTTPEvent e = request("GET", "/admin/sales", "/admin/sales", Map.of(), null, "Bearer " + TOKEN);
        e.setQueryStringParameters(query);
        return dev.handleRequest(e, Lambda.context());
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse r) {
        return Json.readObject(r.getBody());
    }

    private static boolean inDatabase(String saleId) {
        return new SaleRepository(db).find(saleId).isPresent();
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                Arguments.of("not JSON", (Object) "{\"id\":", 400, ProblemType.INVALID_REQUEST),
                Arguments.of("an array", "[]", 400, ProblemType.INVALID_REQUEST),
                Arguments.of("empty body", "", 400, ProblemType.INVALID_REQUEST),
                Arguments.of("duplicate key", "{\"id\":\"a\",\"id\":\"b\"}", 400, ProblemType.INVALID_REQUEST),
                Arguments.of("missing stock", Map.of("stock", "<remove>"), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("unknown field", Map.of("color", "red"), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("stock as a string", Map.of("stock", "10"), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("stock as a decimal", Map.of("stock", 1.5), 400, ProblemType.INVALID_REQUEST),
                Arguments.of(
                        "startsAt not a timestamp",
                        Map.of("startsAt", "tomorrow at nine"),
                        400,
                        ProblemType.INVALID_REQUEST),
                Arguments.of(
                        "startsAt without offset",
                        Map.of("startsAt", "2030-01-01T09:00:00"),
                        400,
                        ProblemType.INVALID_REQUEST),
                Arguments.of("bad id", Map.of("id", "no spaces allowed"), 400, ProblemType.INVALID_SALE_ID),
                Arguments.of("admission not a string", Map.of("admission", 1), 400, ProblemType.INVALID_REQUEST),
                Arguments.of("unknown admission", Map.of("admission", "lottery"), 422, ProblemType.INVALID_SALE),
                Arguments.of(
                        "payment window as a string",
                        Map.of("paymentWindowSeconds", "600"),
                        400,
                        ProblemType.INVALID_REQUEST),
                Arguments.of("payment window 0", Map.of("paymentWindowSeconds", 0), 422, ProblemType.INVALID_SALE),
                Arguments.of(
                        "payment window over 7 days",
                        Map.of("paymentWindowSeconds", 604_801),
                        422,
                        ProblemType.INVALID_SALE),
                Arguments.of("stock 0", Map.of("stock", 0), 422, ProblemType.INVALID_SALE),
                Arguments.of("stock too large", Map.of("stock", 1_000_001), 422, ProblemType.INVALID_SALE),
                Arguments.of(
                        "stock beyond long",
                        Map.of("stock", new java.math.BigInteger("123456789012345678901234567890")),
                        422,
                        ProblemType.INVALID_SALE),
                Arguments.of("negative price", Map.of("priceCents", -1), 422, ProblemType.INVALID_SALE),
                Arguments.of("lower-case currency", Map.of("currency", "usd"), 422, ProblemType.INVALID_SALE),
                Arguments.of("blank item", Map.of("item", "   "), 422, ProblemType.INVALID_SALE),
                Arguments.of(
                        "per-order max above per-buyer limit", Map.of("perOrderMax", 3), 422, ProblemType.INVALID_SALE),
                Arguments.of("per-buyer limit 0", Map.of("perBuyerLimit", 0), 422, ProblemType.INVALID_SALE),
                Arguments.of(
                        "ends before it starts",
                        Map.of("endsAt", at(Duration.ofMinutes(30))),
                        422,
                        ProblemType.INVALID_SALE),
                Arguments.of(
                        "ended already",
                        Map.of("startsAt", at(Duration.ofHours(-3)), "endsAt", at(Duration.ofHours(-1))),
                        422,
                        ProblemType.INVALID_SALE),
                Arguments.of(
                        "window over 31 days",
                        Map.of("endsAt", at(Duration.ofDays(40))),
                        422,
                        ProblemType.INVALID_SALE));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("badCreates")
    void create_refusesBadInput_withItsProblem_andWritesNothing(
            String name, Object input, int status, ProblemType type) {
        String id = newId();
        String body;
        if (input instanceof String raw) {
            body = raw;
        } else {
            @SuppressWarnings("unchecked")
            Map<String, Object> overrides = new HashMap<>((Map<String, Object>) input);
            overrides.replaceAll((k, v) -> "<remove>".equals(v) ? null : v);
            body = saleJson(id, overrides);
        }
        APIGatewayV2HTTPResponse r = create(body);

        assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(status);
        assertThat(r.getHeaders()).containsEntry("content-type", "application/problem+json");
        assertThat(body(r).get("type")).isEqualTo(type.uri());
        if (type == ProblemType.INVALID_SALE) {
            assertThat((List<?>) body(r).get("errors")).isNotEmpty();
        }
        assertThat(inDatabase(id)).isFalse();
    }

    @Test
    void create_refusesOtherMediaTypesAndOversizedBodies() {
        APIGatewayV2HTTPEvent text = request(
                "POST", "/admin/sales", "/admin/sales", Map.of(), saleJson(newId(), Map.of()), "Bearer " + TOKEN);
        text.getHeaders().put("content-type", "text/plain");
        assertThat(dev.handleRequest(text, Lambda.context()).getStatusCode()).isEqualTo(415);
        assertThat(create(saleJson(newId(), Map.of("item", "x".repeat(5000)))).getStatusCode())
                .isEqualTo(413);
    }

    @Test
    void create_thenReplay_thenConflict_thenGet() {
        String id = newId();
        String json = saleJson(id, Map.of());
        APIGatewayV2HTTPResponse created = create(json);
        assertThat(created.getStatusCode()).isEqualTo(201);
        assertThat(created.getHeaders()).containsEntry("location", "/admin/sales/" + id);
        assertThat(body(created))
                .containsEntry("id", id)
                .containsEntry("stock", 10)
                .containsEntry("sold", 0)
                .containsEntry("status", "upcoming")
                .containsEntry("item", "Limited sneaker")
                .containsEntry("loaded", false);

        APIGatewayV2HTTPResponse replay = create(json);
        assertThat(replay.getStatusCode()).isEqualTo(200);
        assertThat(replay.getHeaders()).containsEntry("idempotent-replayed", "true");

        APIGatewayV2HTTPResponse conflict = create(saleJson(id, Map.of("stock", 11)));
        assertThat(conflict.getStatusCode()).isEqualTo(409);
        assertThat(body(conflict).get("type")).isEqualTo(ProblemType.SALE_EXISTS.uri());
        assertThat(new SaleRepository(db).find(id).orElseThrow().sale().stock()).isEqualTo(10);

        assertThat(body(get(id))).containsEntry("priceCents", 12999).containsEntry("currency", "USD");
        APIGatewayV2HTTPResponse missing = get(newId());
        assertThat(missing.getStatusCode()).isEqualTo(404);
        assertThat(body(missing).get("type")).isEqualTo(ProblemType.SALE_NOT_FOUND.uri());
        assertThat(get("bad%20id").getStatusCode()).isEqualTo(400);
    }

    @Test
    void create_keepsTheSalesAdmission_openByDefault_andLoadsItIntoRedisMeta() {
        String open = newId();
        String ticketed = newId();

        assertThat(body(create(saleJson(open, Map.of())))).containsEntry("admission", "open");
        APIGatewayV2HTTPResponse created = create(saleJson(ticketed, Map.of("admission", "ticketed")));
        assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(201);
        assertThat(body(created)).containsEntry("admission", "ticketed");

        // The same id with another admission is another definition.
        assertThat(create(saleJson(open, Map.of("admission", "ticketed"))).getStatusCode())
                .isEqualTo(409);

        SaleRepository sales = new SaleRepository(db);
        assertThat(sales.find(open).orElseThrow().sale().admission()).isEqualTo(Admission.OPEN);
        assertThat(sales.find(ticketed).orElseThrow().sale().admission()).isEqualTo(Admission.TICKETED);
        SaleCache cache = new SaleCache(redis, Duration.ofHours(1));
        cache.load(sales.find(ticketed).orElseThrow().sale());
        cache.load(sales.find(open).orElseThrow().sale());
        assertThat(redis.<String>call(c -> c.hget(new SaleKeys(ticketed).meta(), "admission")))
                .isEqualTo("ticketed");
        assertThat(redis.<String>call(c -> c.hget(new SaleKeys(open).meta(), "admission")))
                .isEqualTo("open");
    }

    /** A live sale of {@code stock} units at 19.99 whose orders must be paid within 10 minutes. */
    private static APIGatewayV2HTTPResponse createLiveSaleWithWindow(String id, int stock) {
        return create(saleJson(
                id,
                Map.of(
                        "paymentWindowSeconds",
                        600,
                        "startsAt",
                        at(Duration.ofMinutes(-1)),
                        "stock",
                        stock,
                        "priceCents",
                        1999)));
    }

    private static void loadIntoRedis(TestStack stack, String saleId) {
        new SaleCache(stack.redis, Duration.ofHours(1))
                .load(new SaleRepository(stack.db).find(saleId).orElseThrow().sale());
    }

    @Test
    void create_withAPaymentWindow_showsIt_andTheOrdersByPaymentState() {
        String id = newId();
        APIGatewayV2HTTPResponse created = createLiveSaleWithWindow(id, 4);
        assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(201);
        assertThat(body(created)).containsEntry("paymentWindowSeconds", 600);
        // another window is another definition; no window at all too
        assertThat(create(saleJson(id, Map.of("paymentWindowSeconds", 601))).getStatusCode())
                .isEqualTo(409);
        assertThat(new SaleRepository(db).find(id).orElseThrow().paymentWindow())
                .isEqualTo(Duration.ofMinutes(10));

        // three orders: one paid, one cancelled, one pending
        try (TestStack stack = TestStack.create()) {
            loadIntoRedis(stack, id);
            List<dev.flashsale.reservation.Reservation> orders =
                    List.of(stack.hold(id, "p", 1), stack.hold(id, "c", 1), stack.hold(id, "w", 2));
            orders.forEach(stack::confirm);
            assertThat(stack.payments.pay(new dev.flashsale.db.PaymentEvent(
                            "evt-" + id, orders.get(0).id(), 1999, "USD")))
                    .isInstanceOf(dev.flashsale.db.PaymentResult.Recorded.class);
            stack.cancellations(step -> {}).cancelByBuyer(id, orders.get(1).id(), "c");
        }
        Map<String, Object> view = body(get(id));
        assertThat(view).containsEntry("sold", 3);
        assertThat(view.get("orders"))
                .isEqualTo(Map.of(
                        "pending", Map.of("orders", 1, "units", 2),
                        "paid", Map.of("orders", 1, "units", 1),
                        "cancelled", Map.of("orders", 1, "units", 1),
                        "paidAfterCancel", Map.of("orders", 0, "units", 0)));
        // a sale without a window shows neither
        String plain = newId();
        assertThat(body(create(saleJson(plain, Map.of())))).doesNotContainKeys("paymentWindowSeconds", "orders");
        assertThat(body(get(plain))).doesNotContainKeys("paymentWindowSeconds", "orders");
    }

    private static APIGatewayV2HTTPResponse refunds(String saleId, String query) {
        APIGatewayV2HTTPEvent event = request(
                "GET",
                "/admin/sales/{saleId}/refunds",
                "/admin/sales/" + saleId + "/refunds",
                Map.of("saleId", saleId),
                null,
                "Bearer " + TOKEN);
        if (query != null) {
            event.setRawQueryString(query);
            Map<String, String> params = new HashMap<>();
            for (String kv : query.split("&")) {
                params.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            event.setQueryStringParameters(params);
        }
        return dev.handleRequest(event, Lambda.context());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> refund(Map<String, Object> page, int i) {
        return (Map<String, Object>) ((List<?>) page.get("refunds")).get(i);
    }

    @Test
    void refunds_listThePaymentsToGiveBack_aPageAtATime() {
        String id = newId();
        assertThat(createLiveSaleWithWindow(id, 10).getStatusCode()).isEqualTo(201);
        try (TestStack stack = TestStack.create()) {
            loadIntoRedis(stack, id);
            var late = stack.hold(id, "late", 1);
            var twice = stack.hold(id, "twice", 1);
            var once = stack.hold(id, "once", 1);
            List.of(late, twice, once).forEach(stack::confirm);
            stack.cancellations(step -> {}).cancelByBuyer(id, late.id(), "late");
            stack.payments.pay(new dev.flashsale.db.PaymentEvent(id + "-a-late", late.id(), 1999, "USD"));
            stack.payments.pay(new dev.flashsale.db.PaymentEvent(id + "-b-first", twice.id(), 1999, "USD"));
            stack.payments.pay(new dev.flashsale.db.PaymentEvent(id + "-c-second", twice.id(), 1999, "USD"));
            stack.payments.pay(new dev.flashsale.db.PaymentEvent(id + "-d-once", once.id(), 1999, "USD"));
        }
        APIGatewayV2HTTPResponse first = refunds(id, "limit=1");
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(200);
        assertThat(body(first)).containsEntry("next", id + "-a-late");
        List<?> firstPage = (List<?>) body(first).get("refunds");
        assertThat(firstPage).hasSize(1);
        assertThat(refund(body(first), 0))
                .containsEntry("eventId", id + "-a-late")
                .containsEntry("amountCents", 1999)
                .containsEntry("currency", "USD")
                .containsEntry("outcome", "PAID_AFTER_CANCEL")
                .containsKeys("reservationId", "receivedAt");
        Map<String, Object> second = body(refunds(id, "limit=1&after=" + id + "-a-late"));
        assertThat(refund(second, 0))
                .containsEntry("eventId", id + "-c-second")
                .containsEntry("outcome", "ALREADY_PAID");
        assertThat(second)
                .as("the last page (d-once was paid in time: nothing to give back)")
                .doesNotContainKey("next");
        assertThat(body(refunds(id, "limit=1&after=" + id + "-c-second"))).isEqualTo(Map.of("refunds", List.of()));

        assertThat(refunds(id, "after=not%20an%20id").getStatusCode()).isEqualTo(400);
        assertThat(refunds(id, "limit=0").getStatusCode()).isEqualTo(400);
        APIGatewayV2HTTPResponse unknown = refunds(newId(), null);
        assertThat(unknown.getStatusCode()).isEqualTo(404);
        assertThat(body(unknown).get("type")).isEqualTo(ProblemType.SALE_NOT_FOUND.uri());
    }

    @Test
    void list_pagesThroughSalesById() {
        String prefix = newId() + "-";
        for (String s : List.of("a", "b", "c")) {
            assertThat(create(saleJson(prefix + s, Map.of())).getStatusCode()).isEqualTo(201);
        }
        Map<String, Object> page1 = body(list(Map.of("after", prefix.substring(0, prefix.length() - 1), "limit", "2")));
        assertThat(((List<?>) page1.get("sales"))
                        .stream().map(s -> (Object) ((Map<?, ?>) s).get("id")).toList())
                .containsExactly(prefix + "a", prefix + "b");
        assertThat(page1.get("next")).isEqualTo(prefix + "b");
        Map<String, Object> page2 = body(list(Map.of("after", (String) page1.get("next"), "limit", "2")));
        assertThat(((Map<?, ?>) ((List<?>) page2.get("sales")).get(0)).get("id"))
                .isEqualTo(prefix + "c");

        for (Map<String, String> bad :
                List.of(Map.of("limit", "0"), Map.of("limit", "101"), Map.of("limit", "x"), Map.of("after", "a b"))) {
            APIGatewayV2HTTPResponse r = list(bad);
            assertThat(r.getStatusCode()).as(bad.toString()).isEqualTo(400);
            assertThat(body(r).get("type")).isEqualTo(ProblemType.INVALID_REQUEST.uri());
        }
        assertThat(((List<?>) body(list(Map.of())).get("sales")).size()).isLessThanOrEqualTo(50);
    }

    @Test
    void addStock_beforeTheStart_updatesTheDatabase_andRedisWhenLoaded_andIsRefusedOnceStarted() {
        String id = newId();
        create(saleJson(id, Map.of()));
        APIGatewayV2HTTPResponse notLoaded = addStock(id, "{\"add\":5}");
        assertThat(notLoaded.getStatusCode()).isEqualTo(200);
        assertThat(body(notLoaded)).containsEntry("stock", 15).containsEntry("loaded", false);
        assertThat(redis.client().exists(new SaleKeys(id).stock())).isFalse();

        // loaded (as prewarm would), then more stock: Redis follows
        new SaleCache(redis, Duration.ofDays(1))
                .load(new SaleRepository(db).find(id).orElseThrow().sale());
        APIGatewayV2HTTPResponse loaded = addStock(id, "{\"add\":7}");
        assertThat(body(loaded)).containsEntry("stock", 22).containsEntry("available", 22);
        assertThat(redis.client().hget(new SaleKeys(id).meta(), "stock")).isEqualTo("22");

        for (String bad : List.of("{\"add\":0}", "{\"add\":-3}", "{\"add\":2000000}")) {
            APIGatewayV2HTTPResponse r = addStock(id, bad);
            assertThat(r.getStatusCode()).as(bad).isEqualTo(422);
        }
        for (String bad : List.of("{\"add\":\"7\"}", "{}", "{\"add\":1,\"x\":1}", "7")) {
            APIGatewayV2HTTPResponse r = addStock(id, bad);
            assertThat(r.getStatusCode()).as(bad).isEqualTo(400);
        }
        assertThat(new SaleRepository(db).find(id).orElseThrow().sale().stock()).isEqualTo(22);
        assertThat(redis.client().get(new SaleKeys(id).stock())).isEqualTo("22");

        Sale live = TestDatabase.create(db, TestSales.live(10, 1, 1));
        APIGatewayV2HTTPResponse started = addStock(live.id(), "{\"add\":5}");
        assertThat(started.getStatusCode()).isEqualTo(409);
        assertThat(body(started).get("type")).isEqualTo(ProblemType.SALE_ALREADY_STARTED.uri());
        assertThat(new SaleRepository(db).find(live.id()).orElseThrow().sale().stock())
                .isEqualTo(10);
        assertThat(addStock(newId(), "{\"add\":5}").getStatusCode()).isEqualTo(404);
    }

    @Test
    void devMode_refusesAMissingOrMalformedTokenWith401_andAWrongOneWith403_writingNothing() {
        String id = newId();
        String json = saleJson(id, Map.of());
        record Case(String authorization, int status, ProblemType type) {}
        for (Case c : List.of(
                new Case(null, 401, ProblemType.ADMIN_UNAUTHENTICATED),
                new Case("Basic YWRtaW46YWRtaW4=", 401, ProblemType.ADMIN_UNAUTHENTICATED),
                new Case("Bearer ", 401, ProblemType.ADMIN_UNAUTHENTICATED),
                new Case("Bearer wrong-token-0123456789", 403, ProblemType.FORBIDDEN),
                new Case("Bearer " + TOKEN + "x", 403, ProblemType.FORBIDDEN))) {
            APIGatewayV2HTTPResponse r = create(dev, json, c.authorization());
            assertThat(r.getStatusCode()).as(String.valueOf(c.authorization())).isEqualTo(c.status());
            assertThat(body(r).get("type")).isEqualTo(c.type().uri());
        }
        assertThat(inDatabase(id)).isFalse();
        // The buyer's JWT is no admin credential either.
        APIGatewayV2HTTPEvent buyer = HttpApi.request("GET", "/admin/sales", "/admin/sales", "buyer-1")
                .build();
        assertThat(dev.handleRequest(buyer, Lambda.context()).getStatusCode()).isEqualTo(401);
    }

    @Test
    void outsideDevMode_onlyAnIamIdentityIsAccepted_theTokenIsIgnored() {
        String id = newId();
        String json = saleJson(id, Map.of());
        APIGatewayV2HTTPResponse token = create(aws, json, "Bearer " + TOKEN);
        assertThat(token.getStatusCode()).isEqualTo(401);
        assertThat(body(token).get("type")).isEqualTo(ProblemType.ADMIN_UNAUTHENTICATED.uri());
        assertThat(inDatabase(id)).isFalse();

        APIGatewayV2HTTPEvent signed = request("POST", "/admin/sales", "/admin/sales", Map.of(), json, null);
        APIGatewayV2HTTPEvent.RequestContext.IAM iam = new APIGatewayV2HTTPEvent.RequestContext.IAM();
        iam.setAccountId("123456789012");
        iam.setUserArn("arn:aws:sts::123456789012:assumed-role/flashsale-operator/ops");
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer =
                new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setIam(iam);
        signed.getRequestContext().setAuthorizer(authorizer);
        assertThat(aws.handleRequest(signed, Lambda.context()).getStatusCode()).isEqualTo(201);
        assertThat(inDatabase(id)).isTrue();

        iam.setUserArn(""); // an IAM block without a verified principal is no identity
        assertThat(aws.handleRequest(signed, Lambda.context()).getStatusCode()).isEqualTo(401);
    }
}
