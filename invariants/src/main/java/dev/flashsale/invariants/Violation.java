package dev.flashsale.invariants;

/** One broken invariant, with where it was seen. */
public record Violation(Scope scope, String message) {

    public enum Scope {
        /** Inside the database alone: the guarantees that must hold even when Redis lost writes. */
        DATABASE,
        /** Inside Redis alone: its own bookkeeping (sorted sets, per-buyer units, non-negative stock). */
        REDIS,
        /** Between Redis and the database: conservation of units and matching statuses. */
        CROSS
    }

    @Override
    public String toString() {
        return scope + ": " + message;
    }
}
