package dev.flashsale.bench;

import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.Migrations;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.queue.SqsSettings;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ClaimOutcome;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ClientKillParams;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the measured functions run against: the local Redis and PostgreSQL (database {@code flashsale_bench}, created
 * and migrated if missing), ElasticMQ in this process, and two live sales (one open, one ticketed) seeded in both with
 * fresh ids. Also kills a
 * child JVM's connections server-side, by Redis client name and PostgreSQL application name.
 */
final class BenchData implements AutoCloseable {

    static final String DATABASE = "flashsale_bench";

    final String redisUrl;
    final String databaseUrl;
    final SQSRestServer sqsServer;
    final URI sqsEndpoint;
    final String queueUrl;
    final Sale sale;
    /** A ticketed sale, for the waiting room's routes. */
    final Sale ticketedSale;

    final Path samples;
    private final RedisConnection redis;
    private final DbConnection db;
    private final ReservationStore store;
    /** A sale whose orders wait for payment (the PaymentFunction's webhook pays them). */
    final Sale paymentSale;

    private final IdGenerator ids = IdGenerator.create();

    BenchData(Path samples) {
        this.samples = samples;
        this.redisUrl = env("REDIS_URL", RedisSettings.DEFAULT_URL);
        this.databaseUrl = env("DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        BenchDatabase.createIfMissing(databaseUrl);
        Migrations.apply(databaseUrl, "postgres", "");
        this.redis = RedisConnection.create(RedisSettings.of(redisUrl));
        this.db = DbConnection.create(DbSettings.of(databaseUrl, "postgres", ""));
        this.store = new ReservationStore(
                redis,
                new ReservationPolicy(Duration.ofMinutes(30), 1000, 1000, Duration.ofDays(1), Duration.ofSeconds(5)),
                ReplicaAck.NONE);
        this.sqsServer = SQSRestServerBuilder.withInterface("127.0.0.1")
                .withDynamicPort()
                .start();
        this.sqsEndpoint = URI.create("http://127.0.0.1:"
                + sqsServer.waitUntilStarted().localAddress().getPort());
        try (SqsClient sqs = SqsConfirmationQueue.client(new SqsSettings(
                "unused", Optional.of(sqsEndpoint), "us-east-1", Duration.ofSeconds(1), Duration.ofSeconds(5), true))) {
            String name = "bench-confirm-" + UUID.randomUUID().toString().substring(0, 8);
            this.queueUrl = sqs.createQueue(b -> b.queueName(name)).queueUrl();
            warmUp(sqs, queueUrl);
        }
        Instant now = Instant.now();
        this.sale = new Sale(
                "bench-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12),
                1_000_000,
                10,
                10,
                now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofHours(2)));
        new SaleRepository(db).create(sale, 1999, "USD");
        new SaleCache(redis, Duration.ofDays(1)).load(sale);
        this.ticketedSale = new Sale(
                "bench-q-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12),
                1_000_000,
                10,
                10,
                sale.startsAt(),
                sale.endsAt(),
                Admission.TICKETED);
        new SaleRepository(db).create(ticketedSale, 1999, "USD");
        new SaleCache(redis, Duration.ofDays(1)).load(ticketedSale);
        this.paymentSale = new Sale(
                "bench-p-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12),
                1_000_000,
                10,
                10,
                sale.startsAt(),
                sale.endsAt());
        new SaleRepository(db).create(paymentSale, "", 1999, "USD", Duration.ofHours(1));
        new SaleCache(redis, Duration.ofDays(1)).load(paymentSale);
    }

    /** The payment webhook's secret the benchmark gives the PaymentFunction and signs its events with. */
    static final String WEBHOOK_SECRET = "bench-webhook-secret-0123456789abcdef";

    /** A new order waiting for payment in the sale with a payment window: held, claimed, ordered, settled. */
    Reservation pendingOrder(String buyerId) {
        ReserveOutcome outcome = store.reserve(new ReserveRequest(paymentSale.id(), buyerId, "bench-" + ids.next(), 2));
        if (!(outcome instanceof ReserveOutcome.Held held)) {
            throw new IllegalStateException("could not seed a hold: " + outcome);
        }
        HoldClaims claims = new HoldClaims(redis, Duration.ofMinutes(2), Duration.ofDays(1));
        if (!(claims.claim(new SaleKeys(paymentSale.id()), held.reservation().id())
                instanceof ClaimOutcome.Claimed claimed)) {
            throw new IllegalStateException(
                    "could not claim " + held.reservation().id());
        }
        claims.follow(
                new SaleKeys(paymentSale.id()),
                claimed.reservation().id(),
                new OrderFence(db).confirm(claimed.reservation()));
        return held.reservation();
    }

    /**
     * ElasticMQ runs in this JVM and is as cold as the functions at first: warm its send and attribute paths, so that
     * the first measured child does not pay for the server's JIT and the order of the runs does not matter.
     */
    private static void warmUp(SqsClient sqs, String queueUrl) {
        for (int i = 0; i < 300; i++) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl)
                    .messageBody("{\"warmup\":true}")
                    .messageAttributes(java.util.Map.of(
                            "version",
                            software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                                    .dataType("Number")
                                    .stringValue("1")
                                    .build())));
            sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNames(software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN));
        }
        sqs.purgeQueue(b -> b.queueUrl(queueUrl));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private final java.util.Map<String, Reservation> standing = new java.util.HashMap<>();

    /** One hold per buyer, made on first request and the same one after (for reads). */
    synchronized Reservation standingHold(String buyerId) {
        return standing.computeIfAbsent(buyerId, b -> hold(b, 1));
    }

    /** A new hold in the seeded sale. */
    Reservation hold(String buyerId, int quantity) {
        ReserveOutcome outcome = store.reserve(new ReserveRequest(sale.id(), buyerId, "bench-" + ids.next(), quantity));
        if (outcome instanceof ReserveOutcome.Held held) {
            return held.reservation();
        }
        throw new IllegalStateException("could not seed a hold: " + outcome);
    }

    /** The database URL a child uses, tagged with its application name. */
    String databaseUrlFor(String applicationName) {
        return databaseUrl + (databaseUrl.contains("?") ? "&" : "?") + "ApplicationName=" + applicationName;
    }

    /** Closes, server-side, every Redis connection named {@code clientName}; returns how many there were. */
    int killRedisClients(String clientName) {
        RedisSettings s = RedisSettings.of(redisUrl);
        int killed = 0;
        try (Jedis admin = new Jedis(s.uri().getHost(), s.port())) {
            for (String line : admin.clientList().split("\n")) {
                if (line.contains(" name=" + clientName + " ")) {
                    String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                    killed += (int)
                            admin.clientKill(ClientKillParams.clientKillParams().id(id));
                }
            }
        }
        return killed;
    }

    /** Terminates every PostgreSQL backend of {@code applicationName}; returns how many there were. */
    int killDbBackends(String applicationName) throws SQLException {
        try (Connection c = DriverManager.getConnection(databaseUrl, BenchDatabase.adminProperties());
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    public void close() throws IOException {
        redis.close();
        db.close();
        sqsServer.stopAndWait();
    }
}
