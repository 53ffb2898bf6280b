package dev.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.json.Json;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProblemTest {

    @Test
    void body_hasTheStandardMembersThenTheExtensions() {
        Problem p = Problem.of(ProblemType.PURCHASE_LIMIT_EXCEEDED, "you may buy 2 more")
                .with("remaining", 2);

        Map<String, Object> body = p.body("/sales/s1/reservations");

        assertThat(body)
                .containsExactly(
                        Map.entry("type", "urn:flashsale:problem:purchase-limit-exceeded"),
                        Map.entry("title", "The per-buyer limit would be exceeded"),
                        Map.entry("status", 409),
                        Map.entry("detail", "you may buy 2 more"),
                        Map.entry("instance", "/sales/s1/reservations"),
                        Map.entry("remaining", 2));
    }

    @Test
    void body_leavesOutAMissingInstance() {
        assertThat(Problem.of(ProblemType.SOLD_OUT, "none left").body(null)).doesNotContainKey("instance");
    }

    @Test
    void with_returnsANewProblemAndLeavesTheOriginalUnchanged() {
        Problem plain = Problem.of(ProblemType.SOLD_OUT, "none left");
        Problem extended = plain.with("saleId", "s1").with("available", 0);

        assertThat(plain.extensions()).isEmpty();
        assertThat(extended.extensions()).containsOnly(Map.entry("saleId", "s1"), Map.entry("available", 0));
        assertThat(extended.type()).isEqualTo(ProblemType.SOLD_OUT);
        assertThat(extended.detail()).isEqualTo("none left");
    }

    @Test
    void statusAndTitle_comeFromTheType() {
        for (ProblemType type : ProblemType.values()) {
            Problem p = Problem.of(type, "d");
            assertThat(p.status()).isEqualTo(type.status()).isBetween(400, 599);
            assertThat(p.body(null))
                    .containsEntry("title", type.title())
                    .containsEntry("type", ProblemType.TYPE_PREFIX + type.slug());
        }
    }

    @ParameterizedTest(name = "{0} ms -> {1} s")
    @CsvSource({"0, 1", "1, 1", "999, 1", "1000, 1", "1001, 2", "1500, 2", "2000, 2", "59999, 60", "-5000, 1"})
    void retryAfterSeconds_roundsUpToWholeSecondsAtLeastOne(long millis, long seconds) {
        assertThat(Problem.of(ProblemType.RATE_LIMITED, "slow down")
                        .retryAfter(Duration.ofMillis(millis))
                        .retryAfterSeconds())
                .contains(seconds);
    }

    @Test
    void retryAfterSeconds_isAbsentUnlessSet() {
        assertThat(Problem.of(ProblemType.RATE_LIMITED, "slow down").retryAfterSeconds())
                .isEmpty();
    }

    @Test
    void httpResponsesProblem_isProblemJsonWithRetryAfter() {
        Problem p = Problem.of(ProblemType.SERVICE_UNAVAILABLE, "try later")
                .with("dependency", "redis")
                .retryAfter(Duration.ofMillis(1500));

        APIGatewayV2HTTPResponse r = HttpResponses.problem(p, "/sales/s1/reservations");

        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getHeaders())
                .containsEntry("content-type", "application/problem+json")
                .containsEntry("cache-control", "no-store")
                .containsEntry("retry-after", "2");
        assertThat(r.getIsBase64Encoded()).isFalse();
        assertThat(r.getBody())
                .isEqualTo("{\"type\":\"urn:flashsale:problem:service-unavailable\","
                        + "\"title\":\"The service is temporarily unavailable\",\"status\":503,\"detail\":\"try later\","
                        + "\"instance\":\"/sales/s1/reservations\",\"dependency\":\"redis\"}");
        assertThat(Json.readObject(r.getBody())).containsEntry("status", 503);
    }

    @Test
    void httpResponsesProblem_hasNoRetryAfterUnlessTheProblemSaysSo() {
        APIGatewayV2HTTPResponse r = HttpResponses.problem(Problem.of(ProblemType.SOLD_OUT, "none left"), "/x");

        assertThat(r.getStatusCode()).isEqualTo(409);
        assertThat(r.getHeaders())
                .doesNotContainKey("retry-after")
                .containsEntry("content-type", "application/problem+json");
    }

    @Test
    void httpResponsesJson_isJsonNotCachedAndKeepsExtraHeaders() {
        APIGatewayV2HTTPResponse r =
                HttpResponses.json(201, Map.of("id", "r1"), Map.of("location", "/reservations/r1"));

        assertThat(r.getStatusCode()).isEqualTo(201);
        assertThat(r.getHeaders())
                .containsEntry("content-type", "application/json")
                .containsEntry("cache-control", "no-store")
                .containsEntry("location", "/reservations/r1");
        assertThat(r.getBody()).isEqualTo("{\"id\":\"r1\"}");
    }
}
