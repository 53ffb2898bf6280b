package dev.flashsale.config;

/** A missing or invalid configuration value; thrown at init, never for a client's request. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
