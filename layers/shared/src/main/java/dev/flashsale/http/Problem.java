package dev.flashsale.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One RFC 9457 problem: its type (which fixes title and status), a human detail, extension members and, for 429/503,
 * how long to wait before retrying.
 */
public record Problem(ProblemType type, String detail, Map<String, Object> extensions, Optional<Duration> retryAfter) {

    public Problem {
        extensions = Map.copyOf(extensions);
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, Map.of(), Optional.empty());
    }

    public Problem with(String member, Object value) {
        Map<String, Object> ext = new LinkedHashMap<>(extensions);
        ext.put(member, value);
        return new Problem(type, detail, ext, retryAfter);
    }

    public Problem retryAfter(Duration wait) {
        return new Problem(type, detail, extensions, Optional.of(wait));
    }

    public int status() {
        return type.status();
    }

    /** Retry-After in whole seconds, rounded up, at least 1. */
    public Optional<Long> retryAfterSeconds() {
        return retryAfter.map(d -> Math.max(1, (d.toMillis() + 999) / 1000));
    }

    public Map<String, Object> body(String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", type.status());
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        body.putAll(extensions);
        return body;
    }
}
