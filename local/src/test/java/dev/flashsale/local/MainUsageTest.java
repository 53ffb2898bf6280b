package dev.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line refuses bad simulate options with a usage error (exit status 2) that names the option. */
class MainUsageTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "simulate --buckets 0          | --buckets must be in 1..16, was 0",
                "simulate --buckets 17         | --buckets must be in 1..16, was 17",
                "simulate --buckets three      | --buckets needs a whole number, was three",
                "simulate --buckets            | --buckets needs a value",
                "simulate --ticketed --buckets 2 | --buckets is for open sales, not with --ticketed",
                "simulate --buckets 2 --ticketed | --buckets is for open sales, not with --ticketed"
            })
    void badBuckets_areAUsageError(String args, String message) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int status;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            status = Main.run(args.trim().split(" +"));
        } finally {
            System.setErr(err);
        }
        assertThat(status).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .startsWith("error: " + message)
                .contains("usage:");
    }
}
