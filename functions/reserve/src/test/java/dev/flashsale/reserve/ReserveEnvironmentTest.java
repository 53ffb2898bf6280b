package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.redis.ReplicaAck;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replica acknowledgement settings as the ReserveFunction reads them. */
class ReserveEnvironmentTest {

    private static ReserveEnvironment read(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("CONFIRM_QUEUE_URL", "http://127.0.0.1:1/000000000000/q"));
        env.putAll(extra);
        return ReserveEnvironment.from(Config.of(env));
    }

    @Test
    void byDefault_noHoldWaitsForAReplica() {
        assertThat(read(Map.of()).replicaAck().enabled()).isFalse();
    }

    @Test
    void theTemplatesSettings_waitForOneReplica_andAnswerOnTimeout() {
        ReplicaAck ack = read(Map.of(
                        "REDIS_WAIT_REPLICAS", "1", "REDIS_WAIT_TIMEOUT", "50ms", "REDIS_WAIT_ON_TIMEOUT", "answer"))
                .replicaAck();
        assertThat(ack).isEqualTo(new ReplicaAck(1, Duration.ofMillis(50), ReplicaAck.OnTimeout.ANSWER));
        assertThat(read(Map.of("REDIS_WAIT_REPLICAS", "2", "REDIS_WAIT_ON_TIMEOUT", "REFUSE"))
                        .replicaAck()
                        .onTimeout())
                .isEqualTo(ReplicaAck.OnTimeout.REFUSE);
    }

    @Test
    void aWaitAsLongAsTheRedisTimeout_isRefusedAtInit() {
        assertThatThrownBy(() -> read(
                        Map.of("REDIS_WAIT_REPLICAS", "1", "REDIS_WAIT_TIMEOUT", "300ms", "REDIS_TIMEOUT", "300ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_WAIT_TIMEOUT")
                .hasMessageContaining("REDIS_TIMEOUT");
        // without replicas to wait for, the timeout is never used
        assertThat(read(Map.of("REDIS_WAIT_TIMEOUT", "5s")).replicaAck().enabled())
                .isFalse();
    }

    @Test
    void outOfRangeOrUnknownValues_areRefusedClearly() {
        assertThatThrownBy(() -> read(Map.of("REDIS_WAIT_REPLICAS", "6")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_WAIT_REPLICAS");
        assertThatThrownBy(() -> read(Map.of("REDIS_WAIT_ON_TIMEOUT", "retry")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_WAIT_ON_TIMEOUT");
        assertThatThrownBy(() -> read(Map.of("REDIS_WAIT_TIMEOUT", "0ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_WAIT_TIMEOUT");
    }
}
