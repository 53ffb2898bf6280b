package dev.flashsale.local.http;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as it reached the local API, before API Gateway's translation.
 *
 * @param rawPath  the path as sent (still percent-encoded)
 * @param rawQuery the query string as sent, without '?'; empty when none
 * @param headers  header names as sent, each with all its values
 */
public record IncomingRequest(
        String method,
        String rawPath,
        String rawQuery,
        Map<String, List<String>> headers,
        byte[] body,
        String sourceIp) {}
