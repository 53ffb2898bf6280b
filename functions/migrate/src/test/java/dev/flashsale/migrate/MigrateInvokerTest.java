package dev.flashsale.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.flashsale.db.DbSettings;
import dev.flashsale.json.Json;
import dev.flashsale.net.Ports;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The custom-resource protocol against a local HTTP server standing in for the presigned S3 response URL, and the
 * migrations against a fresh database on the real PostgreSQL.
 */
class MigrateInvokerTest {

    /** One PUT as CloudFormation would receive it. */
    record Put(String method, String path, String contentType, Map<String, Object> body) {}

    private HttpServer server;
    private final List<Put> puts = new CopyOnWriteArrayList<>();
    private final AtomicInteger answerStatus = new AtomicInteger(200);
    private String database;

    @BeforeEach
    void startResponseUrl() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                puts.add(new Put(
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        Json.readObject(body)));
            }
            exchange.sendResponseHeaders(answerStatus.get(), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(0);
        if (database != null) {
            try (Connection c = admin();
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database); // this test's own, freshly created database
            }
        }
    }

    private Map<String, Object> event(String type, String physicalId) {
        Map<String, Object> e = new java.util.HashMap<>(Map.of(
                "RequestType",
                type,
                "ResponseURL",
                "http://127.0.0.1:" + server.getAddress().getPort()
                        + "/cfn-response/arn%3Aaws%3Acloudformation?X-Amz-Signature=abc",
                "StackId",
                "arn:aws:cloudformation:eu-west-1:123456789012:stack/flashsale/guid",
                "RequestId",
                "req-" + type,
                "LogicalResourceId",
                "DatabaseMigrations",
                "ResourceType",
                "Custom::Migrations",
                "ResourceProperties",
                Map.of("ServiceToken", "arn:aws:lambda:...", "LayerVersion", "arn:aws:lambda:...:layer:x:7")));
        if (physicalId != null) {
            e.put("PhysicalResourceId", physicalId);
        }
        return e;
    }

    private static String baseUrl() {
        String url = TestDatabase.settings().url();
        int q = url.indexOf('?');
        String noQuery = q < 0 ? url : url.substring(0, q);
        return noQuery.substring(0, noQuery.lastIndexOf('/') + 1);
    }

    private static Connection admin() throws Exception {
        DbSettings s = TestDatabase.settings();
        return DriverManager.getConnection(baseUrl() + "postgres", s.driverProperties());
    }

    private DbSettings freshDatabase() throws Exception {
        database = "flashsale_migrate_" + Long.toHexString(System.nanoTime());
        try (Connection c = admin();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        DbSettings t = TestDatabase.settings();
        return DbSettings.of(baseUrl() + database, t.user(), t.password());
    }

    private static List<String> tables(DbSettings db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.driverProperties());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    private MigrateInvoker invoker(DbSettings db) {
        return new MigrateInvoker(new MigrateHandler(db), CustomResourceResponder.create());
    }

    @Test
    void create_appliesTheMigrations_andPutsSuccessWithTheCount_update_thenAppliesNone() throws Exception {
        DbSettings db = freshDatabase();

        // Create: the empty database gets the schema
        assertThat(invoker(db).handleRequest(event("Create", null), Lambda.context()))
                .isEqualTo("SUCCESS");
        assertThat(tables(db)).contains("sales", "orders", "releases", "flyway_schema_history");
        assertThat(puts).hasSize(1);
        Put put = puts.get(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).as("the presigned URL, query and all").endsWith("?X-Amz-Signature=abc");
        assertThat(put.contentType())
                .as("S3 presigned for a PUT without Content-Type")
                .isNull();
        assertThat(put.body())
                .containsEntry("Status", "SUCCESS")
                .containsEntry("PhysicalResourceId", MigrateInvoker.PHYSICAL_ID)
                .containsEntry("StackId", "arn:aws:cloudformation:eu-west-1:123456789012:stack/flashsale/guid")
                .containsEntry("RequestId", "req-Create")
                .containsEntry("LogicalResourceId", "DatabaseMigrations");
        int applied = ((Number) ((Map<?, ?>) put.body().get("Data")).get("Applied")).intValue();
        assertThat(applied).isPositive();

        // Update (a new layer): nothing pending, the same physical id so CloudFormation never sends a Delete
        assertThat(invoker(db).handleRequest(event("Update", MigrateInvoker.PHYSICAL_ID), Lambda.context()))
                .isEqualTo("SUCCESS");
        assertThat(puts.get(1).body())
                .containsEntry("Status", "SUCCESS")
                .containsEntry("PhysicalResourceId", MigrateInvoker.PHYSICAL_ID);
        assertThat(((Number) ((Map<?, ?>) puts.get(1).body().get("Data")).get("Applied")).intValue())
                .isZero();
    }

    @Test
    void delete_answersSuccess_andLeavesTheDatabaseAlone() throws Exception {
        DbSettings db = freshDatabase();
        invoker(db).handleRequest(event("Create", null), Lambda.context());
        List<String> before = tables(db);

        assertThat(invoker(db).handleRequest(event("Delete", MigrateInvoker.PHYSICAL_ID), Lambda.context()))
                .isEqualTo("SUCCESS");
        assertThat(puts.get(1).body()).containsEntry("Status", "SUCCESS").containsEntry("RequestId", "req-Delete");
        assertThat(tables(db)).isEqualTo(before);
    }

    @Test
    void delete_whenTheDatabaseIsGone_stillAnswersSuccess() {
        DbSettings nowhere = DbSettings.of("jdbc:postgresql://127.0.0.1:" + Ports.free() + "/x", "postgres", "")
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(invoker(nowhere).handleRequest(event("Delete", MigrateInvoker.PHYSICAL_ID), Lambda.context()))
                .isEqualTo("SUCCESS");
        assertThat(puts.get(0).body()).containsEntry("Status", "SUCCESS");
    }

    @Test
    void create_whenTheDatabaseIsUnreachable_putsFailedWithTheCause_soTheDeployRollsBack() {
        int port = Ports.free();
        DbSettings nowhere = DbSettings.of(
                        "jdbc:postgresql://127.0.0.1:" + port + "/x?connectTimeout=1", "postgres", "")
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(invoker(nowhere).handleRequest(event("Create", null), Lambda.context()))
                .isEqualTo("FAILED");
        assertThat(puts).hasSize(1);
        assertThat(puts.get(0).body())
                .containsEntry("Status", "FAILED")
                .containsEntry("PhysicalResourceId", MigrateInvoker.PHYSICAL_ID);
        assertThat((String) puts.get(0).body().get("Reason"))
                .startsWith("migrating jdbc:postgresql://127.0.0.1:" + port + "/x failed:")
                .hasSizeLessThanOrEqualTo(CustomResourceResponder.MAX_REASON + 3);
        assertThat(Json.write(puts.get(0).body()).getBytes(StandardCharsets.UTF_8).length)
                .isLessThan(4096);
    }

    @Test
    void aResponseUrlThatRefusesTheAnswer_failsTheInvocation_soLambdaRetries() throws Exception {
        DbSettings db = freshDatabase();
        answerStatus.set(403);
        assertThatThrownBy(() -> invoker(db).handleRequest(event("Create", null), Lambda.context()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("403");
    }

    @Test
    void theSampleEvent_readsAsACreateWithItsPresignedResponseUrl() throws Exception {
        String json = java.nio.file.Files.readString(
                dev.flashsale.testing.RepoRoot.find().resolve("events/cloudformation/migrations-create.json"));
        CustomResourceRequest request = CustomResourceRequest.of(Json.readObject(json));
        assertThat(request.requestType()).isEqualTo("Create");
        assertThat(request.isDelete()).isFalse();
        assertThat(request.physicalResourceId()).isNull();
        assertThat(request.logicalResourceId()).isEqualTo("DatabaseMigrations");
        assertThat(request.responseUrl().getHost()).endsWith(".amazonaws.com");
        assertThat(request.responseUrl().getRawQuery()).contains("X-Amz-Signature=");
    }

    @Test
    void anEventWithoutAResponseUrl_isRefused() {
        assertThatThrownBy(() -> invoker(TestDatabase.settings())
                        .handleRequest(Map.of("RequestType", "Create"), Lambda.context()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ResponseURL");
    }
}
