package dev.flashsale.prewarm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one prewarm run did; logged and returned by the function. */
public final class PrewarmReport {

    /** A live sale whose counter was wrong: from what to what. */
    public record Correction(String saleId, long from, long to) {}

    private boolean ran;
    private boolean leaseLost;
    private boolean exhausted;
    private int sales;
    private final List<String> loaded = new ArrayList<>();
    private final List<String> refreshed = new ArrayList<>();
    private final List<Correction> reconciled = new ArrayList<>();
    private int unchanged;
    private int transfersFinished;
    private int errors;

    void ran() {
        ran = true;
    }

    void sales(int n) {
        sales = n;
    }

    void loaded(String saleId) {
        loaded.add(saleId);
    }

    void refreshed(String saleId) {
        refreshed.add(saleId);
    }

    void reconciled(String saleId, long from, long to) {
        reconciled.add(new Correction(saleId, from, to));
    }

    void transfersFinished(int n) {
        transfersFinished += n;
    }

    /** Transfers between a split sale's buckets that had stopped half-way and were finished. */
    public int transfersFinished() {
        return transfersFinished;
    }

    void unchanged() {
        unchanged++;
    }

    void error() {
        errors++;
    }

    void leaseLost() {
        leaseLost = true;
    }

    void exhausted() {
        exhausted = true;
    }

    /** Whether this run held the lease and did the work (false: another run held it). */
    public boolean didRun() {
        return ran;
    }

    public boolean lostLease() {
        return leaseLost;
    }

    /** Sales newly put into Redis (no stock counter existed). */
    public List<String> loadedSales() {
        return List.copyOf(loaded);
    }

    /** Upcoming sales already in Redis whose definition was rewritten (their counter kept). */
    public List<String> refreshedSales() {
        return List.copyOf(refreshed);
    }

    public List<Correction> corrections() {
        return List.copyOf(reconciled);
    }

    public int errors() {
        return errors;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ran", ran);
        m.put("sales", sales);
        m.put("loaded", List.copyOf(loaded));
        m.put("refreshed", refreshed.size());
        List<Map<String, Object>> fixes = new ArrayList<>();
        for (Correction c : reconciled) {
            fixes.add(Map.of("saleId", c.saleId(), "from", c.from(), "to", c.to()));
        }
        m.put("reconciled", fixes);
        m.put("unchanged", unchanged);
        m.put("transfersFinished", transfersFinished);
        m.put("errors", errors);
        m.put("leaseLost", leaseLost);
        m.put("exhausted", exhausted);
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
