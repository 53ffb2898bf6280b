package dev.flashsale.db;

import dev.flashsale.config.ConfigException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4PresignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

/**
 * RDS IAM authentication tokens: a SigV4-presigned {@code connect} URL for one database user at one host and port,
 * valid 15 minutes, used as the password. Signed locally (no network call), exactly as the SDK's
 * {@code RdsUtilities.generateAuthenticationToken} does; that class lives in the {@code rds} service module, which is
 * ~5.9 MB and not published at the SDK version this project pins, while the signer is already in the layer (via
 * {@code sqs}).
 *
 * <p>The token only has to be valid when a connection is opened; an open connection outlives it.
 */
public final class RdsIamToken implements DbPassword {

    static final Duration LIFETIME = Duration.ofMinutes(15);

    private final String host;
    private final int port;
    private final String user;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final Clock clock;

    public RdsIamToken(
            String host, int port, String user, String region, AwsCredentialsProvider credentials, Clock clock) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.region = Region.of(region);
        this.credentials = credentials;
        this.clock = clock;
    }

    /** For the host and port of {@code settings.url()}, with the Lambda's own credentials (the default chain). */
    public static RdsIamToken forSettings(DbSettings settings) {
        return forSettings(settings, DefaultCredentialsProvider.builder().build(), Clock.systemUTC());
    }

    public static RdsIamToken forSettings(DbSettings settings, AwsCredentialsProvider credentials, Clock clock) {
        URI uri = URI.create(settings.url().substring("jdbc:".length()));
        if (uri.getHost() == null) {
            throw new ConfigException("DB_IAM_AUTH needs one host in DATABASE_URL, was " + settings.redacted());
        }
        return new RdsIamToken(
                uri.getHost(),
                uri.getPort() > 0 ? uri.getPort() : 5432,
                settings.user(),
                settings.region(),
                credentials,
                clock);
    }

    /** A new token, e.g. {@code host:5432/?Action=connect&DBUser=u&X-Amz-Algorithm=...&X-Amz-Signature=...}. */
    @Override
    @SuppressWarnings("deprecation") // Aws4Signer is what RdsUtilities itself uses for this presign
    public String next() {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol("https")
                .host(host)
                .port(port)
                .encodedPath("/")
                .putRawQueryParameter("DBUser", user)
                .putRawQueryParameter("Action", "connect")
                .build();
        Aws4PresignerParams params = Aws4PresignerParams.builder()
                .signingClockOverride(clock)
                .expirationTime(clock.instant().plus(LIFETIME))
                .awsCredentials(credentials.resolveCredentials())
                .signingName("rds-db")
                .signingRegion(region)
                .build();
        String url = Aws4Signer.create().presign(request, params).getUri().toString();
        return url.startsWith("https://") ? url.substring("https://".length()) : url;
    }
}
