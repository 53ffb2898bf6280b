package dev.flashsale.migrate;

import dev.flashsale.json.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers a CloudFormation custom resource: one PUT of {@code {"Status":"SUCCESS"|"FAILED",...}} to the request's
 * presigned S3 URL. Without an answer the stack waits for its timeout (an hour by default), so every request gets one.
 */
public final class CustomResourceResponder {

    /** CloudFormation refuses response bodies above 4096 bytes; the reason is what gets cut. */
    static final int MAX_REASON = 1000;

    private final HttpClient http;
    private final Duration timeout;

    public CustomResourceResponder(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    public static CustomResourceResponder create() {
        return new CustomResourceResponder(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), Duration.ofSeconds(15));
    }

    public void success(CustomResourceRequest request, String physicalResourceId, Map<String, Object> data)
            throws IOException {
        send(request, "SUCCESS", "see the function's logs", physicalResourceId, data);
    }

    public void failed(CustomResourceRequest request, String physicalResourceId, String reason) throws IOException {
        send(request, "FAILED", reason, physicalResourceId, Map.of());
    }

    private void send(
            CustomResourceRequest request,
            String status,
            String reason,
            String physicalResourceId,
            Map<String, Object> data)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Status", status);
        body.put("Reason", reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason);
        body.put("PhysicalResourceId", physicalResourceId);
        body.put("StackId", request.stackId());
        body.put("RequestId", request.requestId());
        body.put("LogicalResourceId", request.logicalResourceId());
        body.put("Data", data);
        // No Content-Type: the URL is presigned for a PUT without one.
        HttpRequest put = HttpRequest.newBuilder(request.responseUrl())
                .timeout(timeout)
                .PUT(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(put, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while answering CloudFormation", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "CloudFormation response URL answered " + response.statusCode() + ": " + response.body());
        }
    }
}
