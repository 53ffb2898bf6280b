package dev.flashsale.local.simulate;

/**
 * One request of the crowd.
 *
 * @param startMicros   when it was sent, from the start of the crowd
 * @param latencyMicros until the whole response was read
 * @param status        HTTP status, 0 when no response came
 * @param outcome       {@code accepted}, a problem type slug (e.g. {@code sold-out}), {@code http-<status>}, or {@code error}
 */
record Sample(long startMicros, long latencyMicros, int status, String outcome) {}
