package dev.flashsale.ids;

/** Crockford's base32 (no I, L, O, U): the alphabet of every id the stack makes. */
public final class Crockford {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private Crockford() {}

    /**
     * {@code value}, a big-endian unsigned number, as {@code digits} base32 digits, most significant first: its lowest
     * {@code 5 × digits} bits, padded with zero bits above when it has fewer (16 bytes in 26 digits: a ULID's layout).
     */
    public static String encode(byte[] value, int digits) {
        char[] out = new char[digits];
        int end = value.length * 8; // one past the bit the last digit ends with (bit 0 = the first byte's top bit)
        for (int i = digits - 1; i >= 0; i--, end -= 5) {
            int digit = 0;
            for (int b = 0; b < 5; b++) {
                int bit = end - 1 - b;
                if (bit >= 0 && ((value[bit >> 3] >> (7 - (bit & 7))) & 1) == 1) {
                    digit |= 1 << b;
                }
            }
            out[i] = ALPHABET[digit];
        }
        return new String(out);
    }
}
