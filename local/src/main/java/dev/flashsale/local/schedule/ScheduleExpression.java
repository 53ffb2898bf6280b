package dev.flashsale.local.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge schedule expression, in UTC: {@code rate(N minute|minutes|hour|hours|day|days)} (singular only for
 * 1) or {@code cron(minutes hours day-of-month month day-of-week year)} with {@code *}, {@code ?}, numbers, lists
 * ({@code 0,30}), ranges ({@code 9-17}), steps ({@code 0/15}, {@code *}{@code /5}), month names (JAN-DEC) and day
 * names (SUN-SAT, SUN = 1). One of day-of-month and day-of-week must be {@code ?}. {@code L}, {@code W} and {@code #}
 * are refused. A rate fires one interval after the schedule starts, as EventBridge does.
 */
public final class ScheduleExpression {

    private static final Pattern RATE = Pattern.compile("rate\\((\\d+)\\s+(minute|minutes|hour|hours|day|days)\\)");
    private static final Pattern CRON = Pattern.compile("cron\\((.+)\\)");
    private static final Map<String, Integer> MONTHS = Map.ofEntries(
            Map.entry("JAN", 1),
            Map.entry("FEB", 2),
            Map.entry("MAR", 3),
            Map.entry("APR", 4),
            Map.entry("MAY", 5),
            Map.entry("JUN", 6),
            Map.entry("JUL", 7),
            Map.entry("AUG", 8),
            Map.entry("SEP", 9),
            Map.entry("OCT", 10),
            Map.entry("NOV", 11),
            Map.entry("DEC", 12));
    private static final Map<String, Integer> DAYS =
            Map.of("SUN", 1, "MON", 2, "TUE", 3, "WED", 4, "THU", 5, "FRI", 6, "SAT", 7);
    private static final int MAX_YEARS_AHEAD = 5;

    private final String text;
    private final Duration rate; // null for cron
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth; // null when '?'
    private final BitSet months;
    private final BitSet daysOfWeek; // null when '?'
    private final BitSet years;

    private ScheduleExpression(String text, Duration rate, BitSet[] cron) {
        this.text = text;
        this.rate = rate;
        this.minutes = cron == null ? null : cron[0];
        this.hours = cron == null ? null : cron[1];
        this.daysOfMonth = cron == null ? null : cron[2];
        this.months = cron == null ? null : cron[3];
        this.daysOfWeek = cron == null ? null : cron[4];
        this.years = cron == null ? null : cron[5];
    }

    public static ScheduleExpression parse(String expression) {
        String s = expression == null ? "" : expression.trim();
        Matcher r = RATE.matcher(s);
        if (r.matches()) {
            long n = Long.parseLong(r.group(1));
            String unit = r.group(2);
            if (n < 1) {
                throw invalid(s, "the rate must be a positive number");
            }
            if ((n == 1) != !unit.endsWith("s")) {
                throw invalid(s, n == 1 ? "write 1 " + unit.replaceAll("s$", "") : "write " + n + " " + unit + "s");
            }
            Duration d = switch (unit.replaceAll("s$", "")) {
                case "minute" -> Duration.ofMinutes(n);
                case "hour" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return new ScheduleExpression(s, d, null);
        }
        Matcher c = CRON.matcher(s);
        if (c.matches()) {
            String[] f = c.group(1).trim().split("\\s+");
            if (f.length != 6) {
                throw invalid(
                        s,
                        "cron needs 6 fields (minutes hours day-of-month month day-of-week year), found " + f.length);
            }
            boolean domAny = f[2].equals("?");
            boolean dowAny = f[4].equals("?");
            if (domAny == dowAny) {
                throw invalid(s, "exactly one of day-of-month and day-of-week must be '?'");
            }
            BitSet[] fields = {
                field(s, "minutes", f[0], 0, 59, Map.of()),
                field(s, "hours", f[1], 0, 23, Map.of()),
                domAny ? null : field(s, "day-of-month", f[2], 1, 31, Map.of()),
                field(s, "month", f[3], 1, 12, MONTHS),
                dowAny ? null : field(s, "day-of-week", f[4], 1, 7, DAYS),
                field(s, "year", f[5], 1970, 2199, Map.of())
            };
            return new ScheduleExpression(s, null, fields);
        }
        throw invalid(s, "expected rate(N minute|minutes|hour|hours|day|days) or cron(6 fields)");
    }

    /** A local stand-in: every {@code interval}, whatever the template says. */
    public static ScheduleExpression every(Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the interval must be positive, was " + interval);
        }
        return new ScheduleExpression(
                "every " + interval.toString().substring(2).toLowerCase(Locale.ROOT) + " (local)", interval, null);
    }

    public boolean isRate() {
        return rate != null;
    }

    /**
     * The first firing strictly after {@code after}; {@code startedAt} anchors a rate (it fires at startedAt + k × rate).
     *
     * @throws IllegalStateException when a cron expression never fires again within five years
     */
    public Instant next(Instant startedAt, Instant after) {
        if (rate != null) {
            long elapsed = Duration.between(startedAt, after).toMillis();
            long k = elapsed < 0 ? 1 : elapsed / rate.toMillis() + 1;
            return startedAt.plusMillis(k * rate.toMillis());
        }
        ZonedDateTime t =
                after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDate day = t.toLocalDate();
        LocalDate last = day.plusYears(MAX_YEARS_AHEAD);
        boolean firstDay = true;
        for (; !day.isAfter(last); day = day.plusDays(1), firstDay = false) {
            if (!dayMatches(day)) {
                continue;
            }
            int fromHour = firstDay ? t.getHour() : 0;
            for (int h = hours.nextSetBit(fromHour); h >= 0; h = hours.nextSetBit(h + 1)) {
                int fromMinute = firstDay && h == t.getHour() ? t.getMinute() : 0;
                int m = minutes.nextSetBit(fromMinute);
                if (m >= 0) {
                    return day.atTime(h, m).toInstant(ZoneOffset.UTC);
                }
            }
        }
        throw new IllegalStateException(text + " does not fire within " + MAX_YEARS_AHEAD + " years");
    }

    private boolean dayMatches(LocalDate day) {
        if (!years.get(day.getYear()) || !months.get(day.getMonthValue())) {
            return false;
        }
        if (daysOfMonth != null) {
            return daysOfMonth.get(day.getDayOfMonth());
        }
        int dow = day.getDayOfWeek().getValue() % 7 + 1; // java: MON=1..SUN=7 → EventBridge: SUN=1..SAT=7
        return daysOfWeek.get(dow);
    }

    private static BitSet field(String expr, String name, String text, int min, int max, Map<String, Integer> names) {
        BitSet set = new BitSet(max + 1);
        for (String part : text.split(",")) {
            if (part.isEmpty()) {
                throw invalid(expr, name + " has an empty list item");
            }
            if (part.contains("#") || !isNameOrNumberTokens(part, names)) {
                throw invalid(
                        expr,
                        name + ": '" + part + "' is not supported locally (only *, ?, numbers, names, lists, ranges and"
                                + " steps; no L, W or #)");
            }
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(expr, name, part.substring(slash + 1), 1, max, Map.of());
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ab = range.split("-", 2);
                from = number(expr, name, ab[0], min, max, names);
                to = number(expr, name, ab[1], min, max, names);
                if (to < from) {
                    throw invalid(expr, name + ": range " + range + " runs backwards");
                }
            } else {
                from = number(expr, name, range, min, max, names);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static boolean isNameOrNumberTokens(String part, Map<String, Integer> names) {
        for (String n : part.toUpperCase(Locale.ROOT).split("[-/]", -1)) {
            if (!n.equals("*")
                    && !names.containsKey(n)
                    && (n.isEmpty() || !n.chars().allMatch(Character::isDigit))) {
                return false;
            }
        }
        return true;
    }

    private static int number(String expr, String field, String text, int min, int max, Map<String, Integer> names) {
        Integer named = names.get(text.toUpperCase(Locale.ROOT));
        int v;
        if (named != null) {
            v = named;
        } else {
            try {
                v = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw invalid(expr, field + ": '" + text + "' is not a number" + (names.isEmpty() ? "" : " or a name"));
            }
        }
        if (v < min || v > max) {
            throw invalid(expr, field + ": " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static IllegalArgumentException invalid(String expr, String why) {
        return new IllegalArgumentException("invalid schedule expression '" + expr + "': " + why);
    }

    @Override
    public String toString() {
        return text;
    }
}
