package dev.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.json.Json;
import dev.flashsale.resilience.DependencyUnavailableException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {

    private final HttpRequest request = new HttpRequest(
            ApiGatewayEvent.post("/sales/s1/reservations").requestId("req-1").build());

    @Test
    void answer_returnsTheRouteResponseWhenNothingIsThrown() {
        APIGatewayV2HTTPResponse ok = HttpResponses.json(201, Map.of("id", "r1"), Map.of());

        assertThat(HttpErrors.answer(request, () -> ok)).isSameAs(ok);
    }

    @Test
    void answer_turnsAProblemExceptionIntoItsStatusAndBody() {
        APIGatewayV2HTTPResponse r = HttpErrors.answer(request, () -> {
            throw new ProblemException(
                    Problem.of(ProblemType.SOLD_OUT, "none left").with("available", 0));
        });

        assertThat(r.getStatusCode()).isEqualTo(409);
        assertThat(r.getHeaders()).containsEntry("content-type", "application/problem+json");
        assertThat(Json.readObject(r.getBody()))
                .containsEntry("type", "urn:flashsale:problem:sold-out")
                .containsEntry("status", 409)
                .containsEntry("detail", "none left")
                .containsEntry("instance", "/sales/s1/reservations")
                .containsEntry("available", 0);
    }

    @Test
    void answer_turnsAnUnavailableDependencyInto503WithRetryAfter() {
        APIGatewayV2HTTPResponse r = HttpErrors.answer(request, () -> {
            throw new DependencyUnavailableException(
                    "redis",
                    Duration.ofMillis(2500),
                    "redis unavailable: connection refused 10.0.0.7",
                    new java.net.ConnectException("connection refused"));
        });

        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getHeaders())
                .containsEntry("retry-after", "3")
                .containsEntry("content-type", "application/problem+json");
        assertThat(Json.readObject(r.getBody())).containsEntry("type", "urn:flashsale:problem:service-unavailable");
        assertThat(r.getBody()).doesNotContain("10.0.0.7", "ConnectException", "connection refused");
    }

    @Test
    void answer_tellsTheClientToRetryWithTheSameKeyWhenTheQueueIsUnavailable() {
        APIGatewayV2HTTPResponse r = HttpErrors.answer(request, () -> {
            throw new DependencyUnavailableException("sqs", Duration.ofSeconds(1), "sqs unavailable", null);
        });

        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getHeaders()).containsEntry("retry-after", "1");
        assertThat(r.getBody()).contains("Idempotency-Key");
    }

    @Test
    void answer_turnsAnythingUnexpectedInto500ThatRevealsNothing() {
        RuntimeException[] failures = {
            new IllegalStateException("secret: password=hunter2 at redis://10.0.0.7"),
            new NullPointerException("Cannot invoke \"dev.flashsale.sale.Sale.limit()\" because \"sale\" is null"),
            new UncheckedIOException("disk", new java.io.IOException("/var/task/secret")),
        };
        for (RuntimeException failure : failures) {
            APIGatewayV2HTTPResponse r = HttpErrors.answer(request, () -> {
                throw failure;
            });

            assertThat(r.getStatusCode()).isEqualTo(500);
            assertThat(r.getHeaders())
                    .containsEntry("content-type", "application/problem+json")
                    .doesNotContainKey("retry-after");
            assertThat(Json.readObject(r.getBody()))
                    .containsEntry("type", "urn:flashsale:problem:internal-error")
                    .containsEntry("status", 500);
            assertThat(r.getBody())
                    .contains("req-1")
                    .doesNotContain(
                            failure.getMessage(),
                            failure.getClass().getName(),
                            failure.getClass().getSimpleName(),
                            "hunter2",
                            "10.0.0.7",
                            "dev.flashsale",
                            "Exception",
                            "/var/task");
        }
    }
}
