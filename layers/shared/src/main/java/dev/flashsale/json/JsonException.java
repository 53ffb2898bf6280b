package dev.flashsale.json;

/** Text that is not the JSON expected; the message says why, in words fit for the client who sent it. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message, null, false, false);
    }
}
