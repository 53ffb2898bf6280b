package dev.flashsale.local.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The local stand-in for the HTTP API's JWT authorizer. {@code Authorization: Bearer dev:<buyerId>} gives the claims
 * {@code {"sub": buyerId}}; {@code Authorization: Bearer <JWT>} gives the JWT's payload claims WITHOUT checking the
 * signature, issuer, audience or expiry (anyone can be anyone locally). No Authorization header: no claims (with
 * {@code DEV_MODE=true} the functions then accept {@code X-Buyer-Id}). Anything else is refused with 401, as API
 * Gateway refuses an invalid token.
 */
public final class DevToken {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DevToken() {}

    /** The claims as API Gateway passes them ({@code requestContext.authorizer.jwt.claims}); empty when there is no token. */
    public static Optional<Map<String, String>> claims(String authorization) throws InvalidTokenException {
        if (authorization == null || authorization.isBlank()) {
            return Optional.empty();
        }
        String a = authorization.trim();
        if (!a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new InvalidTokenException(
                    "the Authorization header must be 'Bearer <JWT>' or 'Bearer dev:<buyerId>'");
        }
        String token = a.substring(7).trim();
        if (token.toLowerCase(Locale.ROOT).startsWith("dev:")) {
            String sub = token.substring(4);
            if (sub.isEmpty()) {
                throw new InvalidTokenException("'Bearer dev:' needs a buyer id after the colon");
            }
            return Optional.of(Map.of("sub", sub));
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("a JWT has three dot-separated parts");
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(new String(Base64.getUrlDecoder().decode(strip(parts[1])), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new InvalidTokenException("the JWT payload is not base64url JSON");
        }
        if (!payload.isObject()) {
            throw new InvalidTokenException("the JWT payload is not a JSON object");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        payload.properties().forEach(e -> claims.put(e.getKey(), claimValue(e.getValue())));
        return Optional.of(claims);
    }

    /** API Gateway's rendering of a claim: strings as they are, arrays as {@code [a b]}, other values as JSON text. */
    private static String claimValue(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isArray()) {
            List<String> items = new java.util.ArrayList<>();
            v.forEach(i -> items.add(i.isTextual() ? i.asText() : i.toString()));
            return "[" + String.join(" ", items) + "]";
        }
        return v.toString();
    }

    private static String strip(String b64) {
        return b64.replace("=", "");
    }

    /** The token is not one the local authorizer understands. */
    public static final class InvalidTokenException extends Exception {

        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String message) {
            super(message);
        }
    }
}
