package dev.flashsale.sale;

import java.util.Optional;

/** How buyers get to reserve in a sale: as they come ({@link #OPEN}), or with a ticket from its waiting room. */
public enum Admission {
    /** Every buyer may reserve; the default, and what every sale was before tickets existed. */
    OPEN("open"),
    /** A buyer reserves only with a valid ticket from the sale's queue (docs/admission.md). */
    TICKETED("ticketed");

    private final String wire;

    Admission(String wire) {
        this.wire = wire;
    }

    /** The name in the API, the database and the sale's Redis meta. */
    public String wire() {
        return wire;
    }

    /** The admission named {@code wire}, if it is one. */
    public static Optional<Admission> ofWire(String wire) {
        for (Admission a : values()) {
            if (a.wire.equals(wire)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
