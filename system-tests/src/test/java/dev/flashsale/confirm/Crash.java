package dev.flashsale.confirm;

/** Thrown by a fault hook to simulate a process dying at a step boundary. */
public final class Crash extends RuntimeException {
    public Crash(Object step) {
        super("injected crash after " + step, null, false, false);
    }
}
