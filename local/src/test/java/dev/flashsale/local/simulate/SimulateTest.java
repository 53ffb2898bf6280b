package dev.flashsale.local.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.local.LocalStack;
import dev.flashsale.local.LocalTesting;
import dev.flashsale.testing.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small flash sale through the whole local stack; the summary must agree with the database. */
class SimulateTest {

    @Test
    void smallCrowd_summaryMatchesTheDatabase(@TempDir Path out) throws Exception {
        SimulationOptions options = SimulationOptions.defaults()
                .withBuyers(240)
                .withStock(60)
                .withConcurrency(24)
                .withDuration(Duration.ofSeconds(60))
                .withOut(out)
                .withWarmup(30);
        try (LocalStack stack = LocalStack.start(
                LocalTesting.options(RepoRoot.template(), Map.of()).withQuiet(true))) {
            SimulationSummary s = stack.simulator(options, System.out).run();

            assertThat(s.requests()).isEqualTo(240);
            assertThat(s.accepted()).isEqualTo(60);
            assertThat(s.acceptedUnits()).isEqualTo(60);
            assertThat(s.refusedByReason()).containsExactly(Map.entry("sold-out", 180L));
            assertThat(s.timeToSellOut()).isPresent();
            assertThat(s.drained()).isTrue();
            assertThat(s.invariantsHold()).as(s.render()).isTrue();
            assertThat(s.p50Ms()).isPositive().isLessThanOrEqualTo(s.p95Ms());
            assertThat(s.p95Ms()).isLessThanOrEqualTo(s.p99Ms());
            // the warm-up sale (30 buyers) is not in the figures; confirm throughput is printed beside reservations'
            assertThat(s.acceptedPerSecond()).isPositive();
            assertThat(s.confirmedPerSecond()).isPositive();
            assertThat(s.render())
                    .contains("reservations/s")
                    .contains("orders/s")
                    .contains("ms per request");

            try (Connection c = LocalTesting.jdbc(stack);
                    PreparedStatement ps = c.prepareStatement(
                            "SELECT count(*), sum(quantity), count(DISTINCT buyer_id), (SELECT sold FROM sales WHERE id = ?) FROM orders WHERE sale_id = ?")) {
                ps.setString(1, s.saleId());
                ps.setString(2, s.saleId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(s.confirmedOrders()).isEqualTo(s.accepted());
                    assertThat(rs.getLong(2)).isEqualTo(s.confirmedUnits()).isEqualTo(60);
                    assertThat(rs.getLong(3)).isEqualTo(60);
                    assertThat(rs.getLong(4)).isEqualTo(60);
                }
            }
            assertThat(s.invariants().available()).isZero();
            assertThat(s.invariants().orderedUnits()).isEqualTo(60);

            String summary = Files.readString(out.resolve("summary.txt"));
            assertThat(summary)
                    .contains("accepted           60 (60 units)")
                    .contains("sold-out")
                    .contains("RESULT             OK");
            String chart = Files.readString(out.resolve("latency.html"));
            assertThat(chart)
                    .startsWith("<!doctype html>")
                    .contains("<svg")
                    .contains("<polyline")
                    .doesNotContain("<script");
        }
    }

    @Test
    void aSaleInThreeBuckets_sellsEveryUnit_beforeAnyBuyerIsRefused(@TempDir Path out) throws Exception {
        SimulationOptions options = SimulationOptions.defaults()
                .withBuyers(150)
                .withStock(45)
                .withBuckets(3)
                .withConcurrency(16)
                .withDuration(Duration.ofSeconds(60))
                .withOut(out);
        try (LocalStack stack = LocalStack.start(
                LocalTesting.options(RepoRoot.template(), Map.of()).withQuiet(true))) {
            SimulationSummary s = stack.simulator(options, System.out).run();

            // one unit per buyer, more buyers than units: every unit sold, wherever its bucket; only then refusals
            assertThat(s.accepted()).as(s.render()).isEqualTo(45);
            assertThat(s.refusedByReason()).containsExactly(Map.entry("sold-out", 105L));
            assertThat(s.drained()).isTrue();
            assertThat(s.confirmedUnits()).isEqualTo(45);
            assertThat(s.invariantsHold()).as(s.render()).isTrue();
            assertThat(s.invariants().buckets()).isEqualTo(3);
            assertThat(s.invariants().inTransit()).isZero();
            assertThat(s.invariants().perBucket())
                    .hasSize(3)
                    .allSatisfy(b -> assertThat(b.available()).isZero());
            try (Connection c = LocalTesting.jdbc(stack);
                    PreparedStatement ps = c.prepareStatement("SELECT buckets, sold FROM sales WHERE id = ?")) {
                ps.setString(1, s.saleId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(3);
                    assertThat(rs.getInt(2)).isEqualTo(45);
                }
            }
            assertThat(Files.readString(out.resolve("summary.txt")))
                    .contains("buckets            3   available per bucket 0 0 0 (allotted ")
                    .contains("+ in transit 0 == stock 45")
                    .contains("RESULT             OK");
        }
    }
}
