package dev.flashsale.init;

import dev.flashsale.db.DbAccess;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbPassword;
import dev.flashsale.db.DbSettings;
import dev.flashsale.ids.IdGenerator;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.queue.SqsSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.crac.Resource;

/**
 * Builds a function's clients from its settings, the one way the stack builds each (its breaker from {@link Breakers},
 * the function's telemetry), and keeps every one that must take part in the CRaC hooks: connections are closed before
 * a SnapStart snapshot and random sources reseeded after a restore. An Init builds everything through its wiring and
 * never names a resource twice.
 */
public final class Wiring {

    private final Telemetry telemetry;
    private final List<Resource> resources = new ArrayList<>();
    private RedisConnection redis;
    private DbConnection db;

    Wiring(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /** The function's one Redis connection. */
    public RedisConnection redis(RedisAccess access) {
        if (redis != null) {
            throw new IllegalStateException("the Redis connection is already built: share it");
        }
        redis = keep(new RedisConnection(access.settings(), Breakers.redis(access.breaker()), telemetry));
        return redis;
    }

    /** The function's one database connection. */
    public DbConnection db(DbAccess access) {
        if (db != null) {
            throw new IllegalStateException("the database connection is already built: share it");
        }
        DbSettings settings = access.settings();
        db = keep(new DbConnection(settings, Breakers.db(access.breaker()), DbPassword.of(settings), telemetry));
        return db;
    }

    Optional<RedisConnection> redis() {
        return Optional.ofNullable(redis);
    }

    Optional<DbConnection> db() {
        return Optional.ofNullable(db);
    }

    public SqsConfirmationQueue queue(SqsSettings settings, BreakerSettings breaker) {
        return keep(SqsConfirmationQueue.create(settings, Breakers.sqs(breaker), telemetry));
    }

    /** Time-ordered random ids, reseeded after a restore. */
    public IdGenerator ids() {
        return keep(IdGenerator.create());
    }

    /** Anything else with CRaC hooks (a lease lock's token source). Resources run in the order they were kept. */
    public <R extends Resource> R keep(R resource) {
        resources.add(resource);
        return resource;
    }

    List<Resource> resources() {
        return List.copyOf(resources);
    }
}
