package dev.flashsale.admin;

import dev.flashsale.config.ConfigException;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.ProblemException;
import dev.flashsale.http.ProblemType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may call the admin API. In AWS the routes use IAM authorization: API Gateway verifies the SigV4 signature and
 * the caller's {@code execute-api:Invoke} permission before the function runs, and this check insists the request
 * context carries that verified IAM identity (a request that reached the function some other way is refused). In local
 * runs ({@code DEV_MODE=true}) a bearer token equal to {@code ADMIN_TOKEN} stands in for it.
 */
public final class AdminAuth {

    static final int MIN_TOKEN_LENGTH = 16;

    private final boolean devMode;
    private final Optional<byte[]> token;

    public AdminAuth(boolean devMode, Optional<String> token) {
        this.devMode = devMode;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        if (token.isPresent() && token.get().length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException("ADMIN_TOKEN must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
    }

    /**
     * @return the caller: an IAM principal ARN, or {@code "dev-token"}
     * @throws ProblemException 401 without credentials, 403 with a wrong token
     */
    public String authorize(HttpRequest http) {
        Optional<String> principal = http.iamPrincipal();
        if (principal.isPresent()) {
            return principal.get();
        }
        if (!devMode) {
            throw new ProblemException(
                    ProblemType.ADMIN_UNAUTHENTICATED,
                    "admin routes need a SigV4-signed request from an IAM principal allowed to invoke them");
        }
        String header = http.header("authorization").orElse("").strip();
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)
                || header.substring(7).isBlank()) {
            throw new ProblemException(ProblemType.ADMIN_UNAUTHENTICATED, "send Authorization: Bearer <ADMIN_TOKEN>");
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (token.isEmpty() || !MessageDigest.isEqual(given, token.get())) {
            throw new ProblemException(ProblemType.FORBIDDEN, "the admin token is not accepted");
        }
        return "dev-token";
    }
}
