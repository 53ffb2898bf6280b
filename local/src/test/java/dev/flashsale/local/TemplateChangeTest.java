package dev.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.testing.RepoRoot;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/** The runner follows the template: a copy with a route, a schedule and the queue's redrive changed is served as changed. */
class TemplateChangeTest {

    @Test
    void changedRouteScheduleAndQueue_changeWhatTheRunnerServes(@TempDir Path dir) throws Exception {
        String original = Files.readString(RepoRoot.template());
        String changed = replace(original, "Path: /sales/{saleId}/reservations\n", "Path: /v2/sales/{saleId}/holds\n");
        changed = replace(changed, "Schedule: rate(1 minute)", "Schedule: cron(0/5 8-18 ? * MON-FRI *)");
        changed = replace(changed, "VisibilityTimeout: 190", "VisibilityTimeout: 1");
        changed = replace(changed, "maxReceiveCount: 10", "maxReceiveCount: 2");
        Path template = dir.resolve("template.yaml");
        Files.writeString(template, changed);

        try (LocalStack stack = LocalStack.start(LocalTesting.options(template, Map.of()))) {
            // route: the new path reaches the ReserveFunction (its own 404 for an unknown sale), the old one is gone
            HttpResponse<String> moved = LocalTesting.post(
                    stack.baseUrl().resolve("/v2/sales/nosuchsale/holds"), "dev:a", "k", "{\"quantity\":1}");
            assertThat(moved.statusCode()).isEqualTo(404);
            assertThat(moved.body()).contains("urn:flashsale:problem:sale-not-found");
            HttpResponse<String> old = LocalTesting.post(
                    stack.baseUrl().resolve("/sales/nosuchsale/reservations"), "dev:a", "k", "{\"quantity\":1}");
            assertThat(old.statusCode()).isEqualTo(404);
            assertThat(old.body()).contains("about:blank").contains("POST /v2/sales/{saleId}/holds");

            // schedule: the runner schedules the template's expression (both scheduled functions had it replaced)
            assertThat(stack.schedulers())
                    .extracting(s -> s.functionId())
                    .containsExactlyInAnyOrder("ReleaseFunction", "PrewarmFunction");
            assertThat(stack.schedulers())
                    .allSatisfy(s -> assertThat(s.expression().toString()).isEqualTo("cron(0/5 8-18 ? * MON-FRI *)"));

            // queue: with ReportBatchItemFailures only the failed record of a batch stays; with maxReceiveCount 2 and a
            // 1 s visibility timeout it is in the DLQ after its second failed receive
            String queue = stack.queues().queueUrl("ConfirmQueue");
            stack.sqs().sendMessage(b -> b.queueUrl(queue).messageBody("not a confirmation message"));
            stack.sqs().sendMessage(b -> b.queueUrl(queue).messageBody("""
                    {"version":1,"reservationId":"r-none","saleId":"nosuchsale","buyerId":"b","quantity":1,\
                    "heldAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-01T00:10:00Z"}"""));
            String dlq = stack.queues().queueUrl("ConfirmDLQ");
            AtomicReference<List<Message>> dead = new AtomicReference<>(List.of());
            assertThat(LocalTesting.eventually(Duration.ofSeconds(30), () -> {
                        dead.set(stack.sqs()
                                .receiveMessage(b -> b.queueUrl(dlq)
                                        .maxNumberOfMessages(10)
                                        .visibilityTimeout(30)
                                        .messageSystemAttributeNames(
                                                software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName
                                                        .ALL))
                                .messages());
                        return !dead.get().isEmpty();
                    }))
                    .isTrue();
            assertThat(dead.get()).singleElement().satisfies(m -> {
                assertThat(m.body()).isEqualTo("not a confirmation message");
                assertThat(m.attributesAsStrings().get("ApproximateReceiveCount"))
                        .isNotNull();
            });
            assertThat(LocalTesting.eventually(Duration.ofSeconds(10), () -> stack.backlog() == 0))
                    .isTrue();
        }
    }

    private static String replace(String text, String from, String to) {
        assertThat(text).as("template.yaml still has '%s'", from.strip()).contains(from);
        return text.replace(from, to);
    }
}
