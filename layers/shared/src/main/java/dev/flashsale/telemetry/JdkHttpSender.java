package dev.flashsale.telemetry;

import dev.flashsale.net.LazyClient;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OTLP/HTTP exporters' transport on the JDK's own {@link HttpClient} ({@code opentelemetry-exporter-sender-jdk}
 * does not resolve here, and the okhttp sender would add okhttp and the Kotlin runtime to the layer). Synchronous: an
 * export runs on the exporter's calling thread (the batch processor's worker, or a force-flush), so the flush at the
 * end of an invocation waits for the collector's answer. The client is rebuilt after a SnapStart restore: pooled
 * sockets do not survive one. No retries: a lost batch is only telemetry. A {@link Signer} may add headers computed
 * from the finished request (SigV4 for X-Ray's OTLP endpoint).
 */
final class JdkHttpSender implements HttpSender {

    /** Headers to add to a request about to be sent, computed from its URL, headers and body. */
    @FunctionalInterface
    interface Signer {
        Signer NONE = (uri, headers, body) -> Map.of();

        Map<String, String> headers(java.net.URI uri, Map<String, String> headers, byte[] body);
    }

    private final HttpSenderConfig config;
    private final Signer signer;
    private final LazyClient<HttpClient> client = new LazyClient<>(this::newClient, HttpClient::shutdownNow);

    JdkHttpSender(HttpSenderConfig config, Signer signer) {
        this.config = config;
        this.signer = signer;
    }

    /** A provider handing out senders that {@code registry} can reset after a restore. */
    static HttpSenderProvider provider(List<JdkHttpSender> registry, Signer signer) {
        return config -> {
            JdkHttpSender sender = new JdkHttpSender(config, signer);
            registry.add(sender);
            return sender;
        };
    }

    @Override
    public void send(MessageWriter writer, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(Math.max(64, writer.getContentLength()));
            Map<String, String> own = new java.util.LinkedHashMap<>();
            own.put("Content-Type", config.getContentType());
            if (config.getCompressor() != null) {
                own.put("Content-Encoding", config.getCompressor().getEncoding());
                try (OutputStream out = config.getCompressor().compress(buffer)) {
                    writer.writeMessage(out);
                }
            } else {
                writer.writeMessage(buffer);
            }
            byte[] body = buffer.toByteArray();
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(config.getEndpoint()).timeout(config.getTimeout());
            own.forEach(request::header);
            Map<String, List<String>> headers = config.getHeadersSupplier() == null
                    ? Map.of()
                    : config.getHeadersSupplier().get();
            if (headers != null) {
                headers.forEach((name, values) -> values.forEach(v -> request.header(name, v)));
            }
            signer.headers(config.getEndpoint(), own, body).forEach(request::header);
            request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
            java.net.http.HttpResponse<byte[]> response =
                    client.get().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            onResponse.accept(new Response(response.statusCode(), response.body()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onError.accept(e);
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
        }
    }

    private HttpClient newClient() {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(config.getConnectTimeout())
                .version(HttpClient.Version.HTTP_1_1);
        if (config.getSslContext() != null) {
            b.sslContext(config.getSslContext());
        }
        return b.build();
    }

    /** Drops the client (and its pooled connections); the next export builds a new one. */
    void reset() {
        client.close();
    }

    @Override
    public CompletableResultCode shutdown() {
        reset();
        return CompletableResultCode.ofSuccess();
    }

    private record Response(int status, byte[] body) implements HttpResponse {
        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getStatusMessage() {
            return Integer.toString(status);
        }

        @Override
        public byte[] getResponseBody() {
            return body;
        }
    }
}
