package dev.flashsale.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** The failover fixture itself: what WAIT acknowledged survives a failover, what the cut link never carried is lost. */
class RedisFailoverTest {

    private static Jedis viaEndpoint(RedisFailover redis) {
        URI url = URI.create(redis.url());
        return new Jedis(
                new HostAndPort(url.getHost(), url.getPort()),
                DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(2_000)
                        .socketTimeoutMillis(2_000)
                        .autoNegotiateProtocol(false)
                        .build());
    }

    @Test
    void aWriteAcknowledgedByWaitSurvivesTheFailover_andClientsOfTheEndpointReachTheNewPrimary() {
        try (RedisFailover redis = RedisFailover.start()) {
            RedisProcess first = redis.primary();
            RedisProcess replica = redis.replicas().get(0);
            try (Jedis client = viaEndpoint(redis)) {
                client.set("acked", "1");
                assertThat(client.waitReplicas(1, 2_000)).isEqualTo(1);

                RedisFailover.Failover f = redis.failover();

                assertThat(first.alive()).isFalse();
                assertThat(redis.primary()).isSameAs(replica);
                assertThat(f.newPrimaryPort()).isEqualTo(replica.port());
                assertThat(f.lostBytes()).isZero();
                // the endpoint cut the connection it had: the client learns it on its next command
                assertThatThrownBy(() -> client.get("acked")).isInstanceOf(JedisConnectionException.class);
            }
            try (Jedis client = viaEndpoint(redis)) {
                assertThat(client.get("acked")).isEqualTo("1");
                client.set("after", "1"); // the promoted replica takes writes
                // no replica yet: WAIT 1 cannot be satisfied until one is added
                assertThat(client.waitReplicas(1, 50)).isZero();
                redis.addReplica();
                client.set("after", "2");
                assertThat(client.waitReplicas(1, 2_000)).isEqualTo(1);
            }
            assertThat(redis.replicaLagBytes()).isZero();
            try (Jedis j = redis.replicas().get(0).connect()) {
                assertThat(j.get("after")).isEqualTo("2");
            }
        }
    }

    @Test
    void aWriteMadeAfterTheLinkWasCutIsLost_theReplicaLagsAndWaitTimesOut() {
        try (RedisFailover redis = RedisFailover.start()) {
            try (Jedis client = viaEndpoint(redis)) {
                client.set("before", "1");
                redis.awaitInSync();
                assertThat(redis.replicaLagBytes()).isZero();

                redis.cutReplication();
                assertThat(redis.replicationCut()).isTrue();
                client.set("during", "1");
                assertThat(client.waitReplicas(1, 100))
                        .as("no acknowledgement over a cut link")
                        .isZero();
                assertThat(redis.replicaLagBytes()).isPositive();

                List<String> onThePrimary = new ArrayList<>();
                List<String> onThePromoted = new ArrayList<>();
                RedisFailover.Failover f =
                        redis.failover(j -> onThePrimary.addAll(j.keys("*")), j -> onThePromoted.addAll(j.keys("*")));

                assertThat(f.lostBytes()).isPositive();
                assertThat(onThePrimary).contains("before", "during");
                assertThat(onThePromoted).contains("before").doesNotContain("during");
            }
            try (Jedis client = viaEndpoint(redis)) {
                assertThat(client.get("before")).isEqualTo("1");
                assertThat(client.get("during")).as("lost with the primary").isNull();
            }
        }
    }

    @Test
    void closeAfterAKillStopsEverything() {
        RedisFailover redis = RedisFailover.start();
        RedisProcess primary = redis.primary();
        RedisProcess replica = redis.replicas().get(0);
        primary.kill();
        redis.close();
        assertThat(primary.alive()).isFalse();
        assertThat(replica.alive()).isFalse();
    }
}
