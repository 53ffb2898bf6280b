package dev.flashsale.telemetry;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * SigV4 for X-Ray's OTLP endpoint ({@code https://xray.<region>.amazonaws.com/v1/traces}, signing name {@code xray}),
 * which refuses unsigned spans: the headers the SDK's signer adds ({@code Authorization}, {@code X-Amz-Date}, and
 * {@code X-Amz-Security-Token} for the temporary credentials Lambda hands out). The credentials are resolved at each
 * export, so they are fresh after a SnapStart restore.
 */
final class XRaySigner implements JdkHttpSender.Signer {

    static final String SIGNING_NAME = "xray";
    /** Set by the JDK's HttpClient itself; it refuses them as request headers. */
    private static final List<String> SET_BY_CLIENT = List.of("host", "content-length");

    private final AwsCredentialsProvider credentials;
    private final String region;

    XRaySigner(AwsCredentialsProvider credentials, String region) {
        this.credentials = credentials;
        this.region = region;
    }

    @Override
    public Map<String, String> headers(URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder unsigned =
                SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri);
        headers.forEach(unsigned::putHeader);
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.identity(credentials.resolveCredentials())
                        .request(unsigned.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        Map<String, String> added = new HashMap<>();
        signed.request().headers().forEach((name, values) -> {
            if (!headers.containsKey(name) && !SET_BY_CLIENT.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                added.put(name, values.get(0));
            }
        });
        return added;
    }
}
