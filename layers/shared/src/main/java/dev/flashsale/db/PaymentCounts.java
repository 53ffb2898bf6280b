package dev.flashsale.db;

import java.util.Map;

/** A sale's orders and units by order state. */
public record PaymentCounts(Map<OrderStatus, Long> orders, Map<OrderStatus, Long> units) {

    public PaymentCounts {
        orders = Map.copyOf(orders);
        units = Map.copyOf(units);
    }

    public long orders(OrderStatus status) {
        return orders.getOrDefault(status, 0L);
    }

    public long units(OrderStatus status) {
        return units.getOrDefault(status, 0L);
    }
}
