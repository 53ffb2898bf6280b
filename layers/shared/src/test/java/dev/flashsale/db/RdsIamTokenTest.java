package dev.flashsale.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class RdsIamTokenTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T08:40:00Z"), ZoneOffset.UTC);
    private static final String PROXY = "flashsale.proxy-abc123.eu-west-1.rds.amazonaws.com";
    private static final AwsCredentialsProvider FAKE = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));

    private static DbSettings iamSettings(String url) {
        return DbSettings.from(Config.of(Map.of(
                "DATABASE_URL", url, "DB_USER", "flashsale_app", "DB_IAM_AUTH", "true", "AWS_REGION", "eu-west-1")));
    }

    private static Map<String, String> query(String token) {
        URI uri = URI.create("https://" + token);
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    @Test
    void token_isAPresignedConnectUrlForTheProxyUserAndRegion_valid15Minutes() {
        String token = RdsIamToken.forSettings(
                        iamSettings("jdbc:postgresql://" + PROXY + ":5432/flashsale?sslmode=require"), FAKE, CLOCK)
                .next();

        URI uri = URI.create("https://" + token);
        assertThat(token).doesNotStartWith("https://");
        assertThat(uri.getHost()).isEqualTo(PROXY);
        assertThat(uri.getPort()).isEqualTo(5432);
        assertThat(uri.getPath()).isEqualTo("/");
        Map<String, String> q = query(token);
        assertThat(q)
                .containsEntry("Action", "connect")
                .containsEntry("DBUser", "flashsale_app")
                .containsEntry("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
                .containsEntry("X-Amz-Credential", "AKIDEXAMPLE/20261127/eu-west-1/rds-db/aws4_request")
                .containsEntry("X-Amz-Date", "20261127T084000Z")
                .containsEntry("X-Amz-Expires", "900")
                .containsEntry("X-Amz-SignedHeaders", "host");
        assertThat(q.get("X-Amz-Signature")).matches("[0-9a-f]{64}");
    }

    @Test
    void token_withSessionCredentials_carriesTheSecurityToken_andDefaultsThePortTo5432() {
        AwsCredentials session = AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "the-session-token");
        String token = RdsIamToken.forSettings(
                        iamSettings("jdbc:postgresql://" + PROXY + "/flashsale"),
                        StaticCredentialsProvider.create(session),
                        CLOCK)
                .next();
        assertThat(URI.create("https://" + token).getPort()).isEqualTo(5432);
        assertThat(query(token)).containsEntry("X-Amz-Security-Token", "the-session-token");
    }

    @Test
    void token_changesWithTheClock_soEveryNewConnectionGetsAFreshOne() {
        DbSettings settings = iamSettings("jdbc:postgresql://" + PROXY + ":5432/flashsale");
        String now = RdsIamToken.forSettings(settings, FAKE, CLOCK).next();
        String later = RdsIamToken.forSettings(settings, FAKE, Clock.offset(CLOCK, Duration.ofMinutes(14)))
                .next();
        assertThat(later).isNotEqualTo(now);
        assertThat(query(later)).containsEntry("X-Amz-Date", "20261127T085400Z");
    }

    @Test
    void credentialsAreResolvedPerToken_notOnceAtInit() {
        // SnapStart: credentials of the init phase must not be baked into the snapshot; the provider is asked each time
        AtomicInteger asked = new AtomicInteger();
        AwsCredentialsProvider counting = () -> {
            asked.incrementAndGet();
            return FAKE.resolveCredentials();
        };
        RdsIamToken tokens =
                RdsIamToken.forSettings(iamSettings("jdbc:postgresql://" + PROXY + ":5432/flashsale"), counting, CLOCK);
        assertThat(asked).hasValue(0);
        tokens.next();
        tokens.next();
        assertThat(asked).hasValue(2);
    }

    @Test
    void iamAuth_requiresTls_andNeverSendsTheConfiguredPassword() {
        DbSettings settings = DbSettings.from(Config.of(Map.of(
                "DATABASE_URL",
                "jdbc:postgresql://" + PROXY + ":5432/flashsale",
                "DB_USER",
                "flashsale_app",
                "DB_PASSWORD",
                "not-this",
                "DB_IAM_AUTH",
                "true")));
        DbPassword password = DbPassword.of(settings);
        assertThat(password).isInstanceOf(RdsIamToken.class);
        assertThat(settings.driverProperties("token").getProperty("sslmode")).isEqualTo("require");
        assertThat(settings.driverProperties("token").getProperty("password")).isEqualTo("token");
    }

    @Test
    void withoutIamAuth_thePasswordIsDbPassword_andTlsIsLeftToTheUrl() {
        DbSettings settings = DbSettings.from(Config.of(Map.of("DB_PASSWORD", "local")));
        assertThat(settings.iamAuth()).isFalse();
        assertThat(DbPassword.of(settings).next()).isEqualTo("local");
        assertThat(settings.driverProperties().getProperty("sslmode")).isNull();
    }

    @Test
    void iamAuth_withAMultiHostUrl_isAConfigError() {
        assertThatThrownBy(() ->
                        RdsIamToken.forSettings(iamSettings("jdbc:postgresql://a:5432,b:5432/flashsale"), FAKE, CLOCK))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("DB_IAM_AUTH");
    }
}
