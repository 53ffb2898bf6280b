package dev.flashsale.init;

import java.util.function.Supplier;

/** A value built on first use, once per execution environment (the Lambda runtime builds it during its init phase). */
public final class Once<T> {

    private final Supplier<T> build;
    private volatile T value;

    public Once(Supplier<T> build) {
        this.build = build;
    }

    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = build.get();
                    value = v;
                }
            }
        }
        return v;
    }
}
