package dev.flashsale.init;

import dev.flashsale.net.LazyClient;
import java.util.function.Supplier;

/** A value built on first use, once per execution environment (the Lambda runtime builds it during its init phase). */
public final class Once<T> {

    /** Never closed: built once. */
    private final LazyClient<T> value;

    public Once(Supplier<T> build) {
        this.value = new LazyClient<>(build, never -> {});
    }

    public T get() {
        return value.get();
    }
}
