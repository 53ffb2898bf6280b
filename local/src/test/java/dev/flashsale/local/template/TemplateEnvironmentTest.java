package dev.flashsale.local.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.testing.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateEnvironmentTest {

    private static final LocalResources QUEUES = new LocalResources() {
        @Override
        public String region() {
            return "us-east-1";
        }

        @Override
        public String queueName(String logicalId) {
            return "p-" + logicalId;
        }

        @Override
        public String queueUrl(String logicalId) {
            return "http://127.0.0.1:9324/000000000000/p-" + logicalId;
        }
    };

    private final SamTemplate template = SamTemplate.read(RepoRoot.template());
    private final TemplateEnvironment env = new TemplateEnvironment(template, QUEUES);

    @Test
    void realTemplate_hasEveryFunctionWithItsEvents() {
        assertThat(template.functions())
                .containsOnlyKeys(
                        "ReserveFunction",
                        "ReservationQueryFunction",
                        "SaleStatusFunction",
                        "AdminFunction",
                        "WaitingRoomFunction",
                        "PaymentFunction",
                        "PrewarmFunction",
                        "ConfirmFunction",
                        "ReleaseFunction",
                        "MigrateFunction");
        assertThat(template.functions().get("MigrateFunction").triggered())
                .as("a custom resource: nothing local drives it")
                .isFalse();
        assertThat(template.routes())
                .extracting(SamTemplate.HttpRoute::routeKey)
                .containsExactlyInAnyOrder(
                        "POST /sales/{saleId}/reservations",
                        "GET /sales/{saleId}/reservations/{reservationId}",
                        "GET /sales/{saleId}",
                        "POST /admin/sales",
                        "GET /admin/sales",
                        "GET /admin/sales/{saleId}",
                        "POST /admin/sales/{saleId}/stock",
                        "GET /admin/sales/{saleId}/refunds",
                        "POST /sales/{saleId}/queue",
                        "GET /sales/{saleId}/queue/me",
                        "GET /sales/{saleId}/queue",
                        "POST /payments/events",
                        "DELETE /sales/{saleId}/reservations/{reservationId}");
        assertThat(template.sqsMappings()).singleElement().satisfies(m -> {
            assertThat(m.functionId()).isEqualTo("ConfirmFunction");
            assertThat(m.queueId()).isEqualTo("ConfirmQueue");
            assertThat(m.batchSize()).isEqualTo(50);
            assertThat(m.reportBatchItemFailures()).isTrue();
        });
        assertThat(template.schedules())
                .extracting(SamTemplate.ScheduleSpec::functionId)
                .containsExactlyInAnyOrder("PrewarmFunction", "ReleaseFunction");
        assertThat(template.schedules())
                .allSatisfy(s -> assertThat(s.expression()).isEqualTo("rate(1 minute)"));
        assertThat(template.queues().get("ConfirmQueue"))
                .isEqualTo(new SamTemplate.QueueSpec("ConfirmQueue", 190, java.util.Optional.of("ConfirmDLQ"), 10));
        assertThat(template.functions().get("ReleaseFunction").timeoutSeconds()).isEqualTo(60);
        assertThat(template.functions().get("ReserveFunction").timeoutSeconds()).isEqualTo(10); // Globals
    }

    @Test
    void ifs_followTheirConditionsWithTheParametersDefaults_andNoValueLeavesAVariableUnset() {
        TemplateEnvironment.Resolved reserve = env.forFunction("ReserveFunction", Map.of());
        assertThat(reserve.variables())
                .containsEntry("OTEL_METRICS_EXPORTER", "emf") // !Ref MetricsExporter
                .containsEntry(
                        "OTEL_TRACES_EXPORTER", "none") // !If [TracesToXRay, xray, !If [TracesToAdot, otlp, none]]
                .containsEntry("METRICS_NAMESPACE", "flashsale/" + LocalResources.STACK_NAME)
                .doesNotContainKey(
                        "OPENTELEMETRY_COLLECTOR_CONFIG_URI"); // !If [HasCollectorConfig, ..., !Ref AWS::NoValue]
        assertThat(reserve.unresolved()).doesNotContain("OTEL_TRACES_EXPORTER", "OPENTELEMETRY_COLLECTOR_CONFIG_URI");
    }

    @Test
    void environment_isGlobalsThenFunction_withRefsResolvedLocally_thenOverrides() {
        TemplateEnvironment.Resolved reserve = env.forFunction(
                "ReserveFunction",
                Map.of(
                        "REDIS_URL",
                        "redis://127.0.0.1:6379",
                        "DEV_MODE",
                        "true",
                        "ADMISSION_TICKET_KEY",
                        "local-ticket-key-0123456789"));

        assertThat(reserve.variables())
                .containsEntry("CONFIRM_QUEUE_URL", "http://127.0.0.1:9324/000000000000/p-ConfirmQueue") // !Ref queue
                .containsEntry("HOLD_TTL", "10m") // !Ref parameter → its default
                .containsEntry("RATE_LIMIT_BURST", "5")
                .containsEntry("RATE_LIMIT_PER_SECOND", "1")
                .containsEntry("REDIS_CLUSTER_MODE", "false") // Globals
                .containsEntry("REDIS_URL", "redis://127.0.0.1:6379") // override of a parameter without default
                .containsEntry("DEV_MODE", "true") // override of the function's own "false"
                .containsKey("JAVA_TOOL_OPTIONS");
        // the database settings come from the local overrides (the template's are deploy-time references)
        assertThat(reserve.unresolved()).containsExactly("DATABASE_URL");

        TemplateEnvironment.Resolved confirm = env.forFunction("ConfirmFunction", Map.of());
        assertThat(confirm.variables())
                .containsEntry("DB_USER", "flashsale")
                .containsEntry("CLAIM_TTL", "5m")
                .containsEntry("DB_IAM_AUTH", "true") // the deployed login; LocalStack overrides it
                .doesNotContainKeys("DATABASE_URL", "DB_PASSWORD", "REDIS_URL");
        assertThat(confirm.unresolved()).containsExactlyInAnyOrder("REDIS_URL", "DATABASE_URL");
    }

    @Test
    void intrinsics_resolveToLocalValues(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("t.yaml");
        Files.writeString(t, """
                Parameters:
                  Stage: {Type: String, Default: dev}
                  NoDefault: {Type: String}
                Resources:
                  Q: {Type: AWS::SQS::Queue}
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y
                      Environment:
                        Variables:
                          ARN: !GetAtt Q.Arn
                          NAME: !GetAtt Q.QueueName
                          SUB: !Sub "${AWS::StackName}-${Stage}-${Q.QueueName}-${AWS::Region}-${!Literal}"
                          SUB_MAP: !Sub ["${A}/${Stage}", {A: !Ref Q}]
                          SECRET: !Sub "{{resolve:secretsmanager:${Stage}:SecretString:password}}"
                          MISSING: !Ref NoDefault
                          GONE: !Ref AWS::NoValue
                          NUMBER: 42
                          FLAG: true
                """);
        TemplateEnvironment e = new TemplateEnvironment(SamTemplate.read(t), QUEUES);

        TemplateEnvironment.Resolved r = e.forFunction("F", Map.of("SECRET", "local"));

        assertThat(r.variables())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "ARN", "arn:aws:sqs:us-east-1:000000000000:p-Q",
                        "NAME", "p-Q",
                        "SUB", "flashsale-local-dev-p-Q-us-east-1-${Literal}",
                        "SUB_MAP", "http://127.0.0.1:9324/000000000000/p-Q/dev",
                        "SECRET", "local",
                        "NUMBER", "42",
                        "FLAG", "true"));
        assertThat(r.unresolved()).containsExactly("MISSING");
    }

    @Test
    void mappingOfAQueueOutsideTheTemplate_isRefusedWithWhere(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("t.yaml");
        Files.writeString(t, """
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y
                      Events:
                        In: {Type: SQS, Properties: {Queue: "arn:aws:sqs:us-east-1:123456789012:elsewhere"}}
                """);

        assertThatThrownBy(() -> SamTemplate.read(t))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("F.Events.In.Queue");
    }
}
