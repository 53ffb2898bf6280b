package dev.flashsale.local.http;

import dev.flashsale.local.template.SamTemplate.HttpRoute;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP API routing as API Gateway does it: the most specific path wins (more literal segments first, a greedy
 * {@code {proxy+}} last), an exact method before {@code ANY}, and {@code $default} catches what nothing else matches.
 */
public final class RouteTable {

    /** A matched route and its path parameters (percent-decoded). */
    public record Match(HttpRoute route, Map<String, String> pathParameters) {}

    private final List<HttpRoute> routes;

    public RouteTable(List<HttpRoute> routes) {
        List<HttpRoute> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt(RouteTable::specificity)
                .reversed()
                .thenComparing(r -> r.method().equals("ANY") ? 1 : 0));
        this.routes = List.copyOf(sorted);
    }

    public List<HttpRoute> routes() {
        return routes;
    }

    public Optional<Match> match(String method, String rawPath) {
        String[] segments = segments(rawPath);
        for (HttpRoute r : routes) {
            if (!r.method().equals("ANY") && !r.method().equals(method)) {
                continue;
            }
            if (r.path().equals("$default")) {
                return Optional.of(new Match(r, Map.of()));
            }
            Map<String, String> params = matchPath(segments(r.path()), segments);
            if (params != null) {
                return Optional.of(new Match(r, params));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> matchPath(String[] pattern, String[] path) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("+}")) {
                if (i >= path.length) {
                    return null;
                }
                params.put(
                        p.substring(1, p.length() - 2),
                        decode(String.join("/", java.util.Arrays.copyOfRange(path, i, path.length))));
                return params;
            }
            if (i >= path.length) {
                return null;
            }
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), decode(path[i]));
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return pattern.length == path.length ? params : null;
    }

    private static int specificity(HttpRoute r) {
        if (r.path().equals("$default")) {
            return -1_000_000;
        }
        int score = 0;
        for (String s : segments(r.path())) {
            score += s.startsWith("{") ? (s.endsWith("+}") ? -1000 : 1) : 100;
        }
        return score;
    }

    private static String[] segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
