package dev.flashsale.config;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The environment variables a settings record reads, declared next to it ({@code VARIABLES}); a function's environment
 * record declares the union of its parts. The template contract test and the README's configuration table are checked
 * against these declarations, and each declaration against what its {@code from(Config)} really asks for
 * ({@link Config#recording}).
 */
public final class Variables {

    private Variables() {}

    /** The names, sorted and unmodifiable. */
    public static Set<String> of(String... names) {
        return Collections.unmodifiableSet(new TreeSet<>(Set.of(names)));
    }

    /** Every name of every part, sorted and unmodifiable. */
    @SafeVarargs
    public static Set<String> union(Collection<String>... parts) {
        Set<String> all = new TreeSet<>();
        for (Collection<String> part : parts) {
            all.addAll(part);
        }
        return Collections.unmodifiableSet(all);
    }
}
