package dev.flashsale.migrate;

import java.net.URI;
import java.util.Map;

/**
 * The parts of a CloudFormation custom resource request this function uses.
 *
 * @param requestType        {@code Create}, {@code Update} or {@code Delete}
 * @param responseUrl        the presigned S3 URL the answer must be PUT to
 * @param physicalResourceId absent on Create
 */
public record CustomResourceRequest(
        String requestType,
        URI responseUrl,
        String stackId,
        String requestId,
        String logicalResourceId,
        String physicalResourceId) {

    /** Parses the event; throws {@link IllegalArgumentException} when it lacks what an answer needs. */
    public static CustomResourceRequest of(Map<String, Object> event) {
        String url = text(event, "ResponseURL");
        if (url == null) {
            throw new IllegalArgumentException("not a CloudFormation custom resource request: no ResponseURL");
        }
        return new CustomResourceRequest(
                text(event, "RequestType"),
                URI.create(url),
                text(event, "StackId"),
                text(event, "RequestId"),
                text(event, "LogicalResourceId"),
                text(event, "PhysicalResourceId"));
    }

    public boolean isDelete() {
        return "Delete".equals(requestType);
    }

    private static String text(Map<String, Object> event, String key) {
        Object v = event.get(key);
        return v == null ? null : v.toString();
    }
}
