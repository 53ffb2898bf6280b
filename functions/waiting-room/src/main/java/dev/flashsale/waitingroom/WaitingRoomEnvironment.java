package dev.flashsale.waitingroom;

import dev.flashsale.admission.AdmissionPolicy;
import dev.flashsale.admission.TicketKey;
import dev.flashsale.config.Config;
import dev.flashsale.config.Variables;
import dev.flashsale.db.DbAccess;
import dev.flashsale.init.FunctionEnvironment;
import dev.flashsale.init.InitSettings;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.reservation.Lifetimes;
import dev.flashsale.sale.SaleLoading;
import java.util.Set;

/**
 * Everything the WaitingRoomFunction reads from its environment, once, in its Init.
 *
 * @param redis     {@code REDIS_*}, breaker {@code BREAKER_REDIS_*} / {@code BREAKER_*} (slow call 200ms)
 * @param db        {@code DATABASE_URL}, {@code DB_*}: only to load a sale Redis does not know, breaker
 *                  {@code BREAKER_DB_*} (slow call 1s)
 * @param loading   {@code SALE_NEGATIVE_CACHE_TTL}, {@code SALE_LOAD_WAIT} (see {@link SaleLoading})
 * @param lifetimes {@code HOLD_TTL}, ... (see {@link Lifetimes}): the queue's keys are kept as long as reservations
 * @param policy    {@code ADMISSION_*} (see {@link AdmissionPolicy})
 * @param ticketKey {@code ADMISSION_TICKET_KEY}: the key tickets are signed with; the ReserveFunction must have the same.
 *                  Without it a key is generated, which no ReserveFunction shares (every ticket would be refused)
 * @param devMode   {@code DEV_MODE}, default false: accept {@code X-Buyer-Id} when there is no JWT (local runs only)
 */
public record WaitingRoomEnvironment(
        InitSettings init,
        RedisAccess redis,
        DbAccess db,
        SaleLoading loading,
        Lifetimes lifetimes,
        AdmissionPolicy policy,
        TicketKey ticketKey,
        boolean devMode)
        implements FunctionEnvironment {

    public static final Set<String> VARIABLES = Variables.union(
            InitSettings.VARIABLES,
            RedisAccess.VARIABLES,
            DbAccess.VARIABLES,
            SaleLoading.VARIABLES,
            Lifetimes.VARIABLES,
            AdmissionPolicy.VARIABLES,
            Variables.of("ADMISSION_TICKET_KEY", "ADMISSION_TICKET_KEY_PREVIOUS", "DEV_MODE"));

    public static WaitingRoomEnvironment from(Config config) {
        Lifetimes lifetimes = Lifetimes.from(config);
        return new WaitingRoomEnvironment(
                InitSettings.from(config, "waiting-room"),
                RedisAccess.from(config),
                DbAccess.from(config),
                SaleLoading.from(config),
                lifetimes,
                AdmissionPolicy.from(config, lifetimes.retention()),
                TicketKey.from(config),
                config.bool("DEV_MODE", false));
    }
}
