package dev.flashsale.local.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleExpressionTest {

    private static final Instant START = Instant.parse("2026-11-27T08:40:10Z"); // a Friday

    @ParameterizedTest
    @CsvSource({
        "rate(1 minute),   PT1M",
        "rate(5 minutes),  PT5M",
        "rate(1 hour),     PT1H",
        "rate(2 hours),    PT2H",
        "rate(1 day),      PT24H",
        "rate(3 days),     PT72H"
    })
    void rate_firesOneIntervalAfterTheStartThenEveryInterval(String expression, Duration interval) {
        ScheduleExpression e = ScheduleExpression.parse(expression);

        assertThat(e.isRate()).isTrue();
        assertThat(e.next(START, START)).isEqualTo(START.plus(interval));
        assertThat(e.next(START, START.plus(interval))).isEqualTo(START.plus(interval.multipliedBy(2)));
        assertThat(e.next(START, START.plus(interval).plusMillis(1))).isEqualTo(START.plus(interval.multipliedBy(2)));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // expression                          | after                  | next
                "cron(0/15 * * * ? *)                  | 2026-11-27T08:40:10Z   | 2026-11-27T08:45:00Z",
                "cron(*/5 * * * ? *)                   | 2026-11-27T08:45:00Z   | 2026-11-27T08:50:00Z",
                "cron(0 9-17 * * ? *)                  | 2026-11-27T08:40:10Z   | 2026-11-27T09:00:00Z",
                "cron(0 9-17 * * ? *)                  | 2026-11-27T17:00:00Z   | 2026-11-28T09:00:00Z",
                "cron(0,30 8,20 * * ? *)               | 2026-11-27T08:40:10Z   | 2026-11-27T20:00:00Z",
                "cron(15 10 ? * MON-FRI *)             | 2026-11-27T10:15:00Z   | 2026-11-30T10:15:00Z",
                "cron(0 0 ? * 1 *)                     | 2026-11-27T08:40:10Z   | 2026-11-29T00:00:00Z",
                "cron(0 12 1 * ? *)                    | 2026-11-27T08:40:10Z   | 2026-12-01T12:00:00Z",
                "cron(0 0 1 JAN ? *)                   | 2026-11-27T08:40:10Z   | 2027-01-01T00:00:00Z",
                "cron(0 0 29 2 ? *)                    | 2026-11-27T08:40:10Z   | 2028-02-29T00:00:00Z",
                "cron(59 23 31 12 ? 2026)              | 2026-11-27T08:40:10Z   | 2026-12-31T23:59:00Z"
            })
    void cron_nextFiring(String expression, Instant after, Instant next) {
        assertThat(ScheduleExpression.parse(expression.trim()).next(START, after))
                .isEqualTo(next);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "rate(0 minutes)",
                "rate(1 minutes)",
                "rate(5 minute)",
                "rate(1 second)",
                "rate(-1 minutes)",
                "every 5 minutes",
                "cron(* * * * *)",
                "cron(0 * * * * *)",
                "cron(0 * ? * ? *)",
                "cron(60 * * * ? *)",
                "cron(0 24 * * ? *)",
                "cron(0 0 L * ? *)",
                "cron(0 0 ? * 6#3 *)",
                "cron(0 0 15W * ? *)",
                "cron(0 0 ? * FOO *)",
                "cron(5-1 * * * ? *)",
                "cron(0,,5 * * * ? *)"
            })
    void parse_refusesWhatEventBridgeRefusesOrThisRunnerCannotRun(String expression) {
        assertThatThrownBy(() -> ScheduleExpression.parse(expression))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid schedule expression");
    }

    @Test
    void cron_thatNeverFiresAgain_isReported() {
        ScheduleExpression past = ScheduleExpression.parse("cron(0 0 1 1 ? 2020)");

        assertThatThrownBy(() -> past.next(START, START)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void every_isTheLocalOverride() {
        ScheduleExpression e = ScheduleExpression.every(Duration.ofSeconds(2));

        assertThat(e.next(START, START)).isEqualTo(START.plusSeconds(2));
        assertThat(e.toString()).isEqualTo("every 2s (local)");
    }
}
