package dev.flashsale.config;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validated reading of configuration (environment variables in Lambda, overrides locally).
 * Every bad value fails fast at init with the variable's name and the allowed range, never deep in a request.
 */
public final class Config {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    /**
     * Set only by the local runner, and only on the thread that builds a function's Init: a JVM cannot change its own
     * environment variables, yet the runner hosts every function of template.yaml in one JVM, each with its own.
     */
    private static final ThreadLocal<Map<String, String>> LOCAL_ENVIRONMENT = new ThreadLocal<>();

    private final Map<String, String> values;
    /** The names asked for, when this config records them (tests of what a settings record declares); else null. */
    private final Set<String> asked;

    private Config(Map<String, String> values, Set<String> asked) {
        this.values = Map.copyOf(values);
        this.asked = asked;
    }

    /** The process environment; or, inside {@link #withLocalEnvironment} on this thread, the environment given there. */
    public static Config fromEnv() {
        Map<String, String> local = LOCAL_ENVIRONMENT.get();
        return new Config(local != null ? local : System.getenv(), null);
    }

    /**
     * Local runner only (never called in Lambda): runs {@code init} with {@link #fromEnv()} on this thread answering
     * {@code environment} instead of the process environment, so a function's real Init reads the variables the
     * template gives that function.
     */
    public static <T> T withLocalEnvironment(Map<String, String> environment, Supplier<T> init) {
        Map<String, String> previous = LOCAL_ENVIRONMENT.get();
        LOCAL_ENVIRONMENT.set(Map.copyOf(environment));
        try {
            return init.get();
        } finally {
            if (previous == null) {
                LOCAL_ENVIRONMENT.remove();
            } else {
                LOCAL_ENVIRONMENT.set(previous);
            }
        }
    }

    public static Config of(Map<String, String> values) {
        return new Config(values, null);
    }

    /**
     * A config that remembers every name asked for ({@link #asked()}), so that a test can prove a settings record reads
     * exactly the variables it declares.
     */
    public static Config recording(Map<String, String> values) {
        return new Config(values, new TreeSet<>());
    }

    /** The names asked for so far, sorted (a {@link #recording} config only). */
    public Set<String> asked() {
        if (asked == null) {
            throw new IllegalStateException("this config does not record what is asked; use Config.recording");
        }
        return Collections.unmodifiableSet(asked);
    }

    /** The raw value, absent when unset or blank. */
    public Optional<String> optional(String name) {
        if (asked != null) {
            asked.add(name);
        }
        String v = values.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    public String required(String name) {
        return optional(name).orElseThrow(() -> new ConfigException(name + " must be set"));
    }

    public int integer(String name, int defaultValue, int min, int max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int v;
        try {
            v = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    name + " must be an integer in [" + min + ", " + max + "], was '" + raw.get() + "'");
        }
        if (v < min || v > max) {
            throw new ConfigException(name + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    public double decimal(String name, double defaultValue, double min, double max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        double v;
        try {
            v = Double.parseDouble(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    name + " must be a number in [" + min + ", " + max + "], was '" + raw.get() + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new ConfigException(name + " must be in [" + min + ", " + max + "], was " + raw.get());
        }
        return v;
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name + " must be true or false, was '" + raw.get() + "'");
        };
    }

    /**
     * A duration such as {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}; a bare number means milliseconds.
     */
    public Duration duration(String name, Duration defaultValue, Duration min, Duration max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration v = parseDuration(name, raw.get());
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", was " + raw.get());
        }
        return v;
    }

    static Duration parseDuration(String name, String raw) {
        Matcher m = DURATION.matcher(raw.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(name + " must be a duration like 250ms, 5s, 2m, 1h or 7d, was '" + raw + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " is out of range: '" + raw + "'");
        }
        String unit = m.group(2) == null ? "ms" : m.group(2);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new IllegalStateException(unit);
            };
        } catch (ArithmeticException e) {
            throw new ConfigException(name + " is out of range: '" + raw + "'");
        }
    }
}
