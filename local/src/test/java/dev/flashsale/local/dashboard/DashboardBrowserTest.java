package dev.flashsale.local.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flashsale.local.LocalStack;
import dev.flashsale.local.LocalTesting;
import dev.flashsale.local.simulate.SimulationOptions;
import dev.flashsale.local.simulate.SimulationSummary;
import dev.flashsale.testing.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live dashboard in a real headless Chromium while a small flash sale runs against the local stack: the page,
 * opened before the sale, shows it sell out (units left 0, units sold = stock), the reservations chart counts exactly
 * the crowd's outcomes, the lag chart has points. Writes {@code local/target/dashboard/dashboard.png}.
 */
class DashboardBrowserTest {

    private static final String STATE = """
            const row = [...document.querySelectorAll('#sales tbody tr')].find(r => r.dataset.saleId === '%s');
            const points = sel => [...document.querySelectorAll(sel)].map(p => p.getAttribute('points').trim())
                .filter(p => p.length > 0).map(p => p.split(' ').length).reduce((a, b) => a + b, 0);
            return {
              unitsLeft: row ? row.querySelector('td.units-left').textContent : null,
              sold: row ? row.querySelector('td.sold').textContent : null,
              accepted: points('#reservations polyline[data-series="accepted"]'),
              lag: points('#lag polyline[data-series="p50"]'),
              legend: document.getElementById('reservations-legend').textContent,
              waiting: document.getElementById('queue-waiting').textContent
            };
            """;

    @Test
    void duringASmallSimulatedSale_theDashboardShowsItSellOut_withTheCrowdsOutcomesCharted(@TempDir Path out)
            throws Exception {
        Path screenshot = RepoRoot.find().resolve("local/target/dashboard/dashboard.png");
        Files.deleteIfExists(screenshot);
        try (LocalStack stack = LocalStack.start(
                        LocalTesting.options(RepoRoot.template(), Map.of()).withQuiet(true));
                HeadlessChromium browser = HeadlessChromium.start()) {
            // 1. The page is open before the sale, rendering the runner's data every second.
            browser.open(stack.baseUrl().resolve(Dashboard.PATH));
            assertThat(LocalTesting.eventually(
                            Duration.ofSeconds(15),
                            () -> text(browser, "return document.getElementById('updated').textContent")
                                    .startsWith("as of")))
                    .isTrue();

            // 2. A small flash sale: 160 buyers for 40 units.
            SimulationOptions options = SimulationOptions.defaults()
                    .withBuyers(160)
                    .withStock(40)
                    .withConcurrency(8)
                    .withDuration(Duration.ofSeconds(60))
                    .withOut(out);
            SimulationSummary sale = CompletableFuture.supplyAsync(() -> {
                        try {
                            return stack.simulator(options, null).run();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .get(120, TimeUnit.SECONDS);
            assertThat(sale.accepted()).isEqualTo(40);
            assertThat(sale.invariantsHold()).as(sale.render()).isTrue();

            // 3. The page, still polling, shows the sale sold out and the crowd's outcomes charted.
            String script = STATE.formatted(sale.saleId());
            JsonNode[] state = new JsonNode[1];
            boolean shown = LocalTesting.eventually(Duration.ofSeconds(30), () -> {
                state[0] = eval(browser, script);
                return "0".equals(state[0].path("unitsLeft").asText())
                        && "40".equals(state[0].path("sold").asText())
                        && state[0].path("legend").asText().contains("accepted (40)")
                        && state[0].path("lag").asInt() >= 1
                        && "0".equals(state[0].path("waiting").asText());
            });
            browser.screenshot(screenshot);
            assertThat(shown)
                    .as(
                            "dashboard state %s; queue backlog now %d; page data %s",
                            state[0],
                            stack.backlog(),
                            eval(browser, "return JSON.stringify(window.dashboardData.queue)"))
                    .isTrue();
            // one point per second of the sale: a warm machine sells these 40 units within one second
            assertThat(state[0].path("accepted").asInt())
                    .as("points of the accepted line")
                    .isPositive();
            assertThat(state[0].path("legend").asText())
                    .contains("sold_out (" + sale.refusedByReason().get("sold-out") + ")");
            assertThat(state[0].path("waiting").asText()).isEqualTo("0");
        }
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(png.length).as("a rendered page, not a blank one").isGreaterThan(20_000);
        System.out.println("[dashboard] screenshot: " + screenshot);
    }

    private static JsonNode eval(HeadlessChromium browser, String script) {
        try {
            return browser.eval(script);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(HeadlessChromium browser, String script) {
        return eval(browser, script).asText("");
    }
}
