package dev.flashsale.local.services;

/** A backing service cannot be had; the message says what was tried and how to fix it. */
public final class LocalSetupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LocalSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
