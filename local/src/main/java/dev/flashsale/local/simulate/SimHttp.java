package dev.flashsale.local.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The simulator's HTTP calls, with the JDK's blocking {@link HttpURLConnection}, whose connections are kept alive and
 * reused: the simulator shares the machine's cores with the stack it measures, and the blocking client costs a
 * fraction of the CPU per request of the asynchronous {@code java.net.http.HttpClient}.
 */
final class SimHttp {

    /** An answer; status 0 when none came (the body then says why). */
    record Answer(int status, String body) {}

    private SimHttp() {}

    static Answer get(URI url, Map<String, String> headers) {
        return send(url, "GET", headers, null);
    }

    static Answer post(URI url, Map<String, String> headers, byte[] payload) {
        return send(url, "POST", headers, payload);
    }

    static Answer delete(URI url, Map<String, String> headers) {
        return send(url, "DELETE", headers, null);
    }

    private static Answer send(URI url, String method, Map<String, String> headers, byte[] payload) {
        try {
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(30_000);
            c.setRequestMethod(method);
            headers.forEach(c::setRequestProperty);
            if (payload != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(payload.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(payload);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = "";
            if (in != null) {
                try (in) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Answer(status, body);
        } catch (IOException e) {
            return new Answer(0, String.valueOf(e));
        }
    }
}
