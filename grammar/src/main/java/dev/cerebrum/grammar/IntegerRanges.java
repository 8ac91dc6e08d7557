package dev.cerebrum.grammar;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for exactly the integers of a range, written as JSON writes them: no leading zeros, no "-0". The
 * range is split by sign and digit count; a range of numbers with the same digit count becomes a shared
 * prefix, then a low edge, full middle digits and a high edge.
 */
final class IntegerRanges {

    private IntegerRanges() {
    }

    /** A rule body for lo ≤ n ≤ hi; a null bound is open. */
    static String grammar(BigInteger lo, BigInteger hi) {
        List<String> parts = new ArrayList<>();
        // negative numbers: "-" and their absolute values
        if (lo == null || lo.signum() < 0) {
            BigInteger absLow = hi == null || hi.signum() >= 0 ? BigInteger.ONE : hi.negate();
            String negative = lo == null ? atLeast(absLow) : between(absLow, lo.negate());
            parts.add("\"-\" (" + negative + ")");
        }
        if (hi == null || hi.signum() >= 0) {
            BigInteger low = lo == null || lo.signum() < 0 ? BigInteger.ZERO : lo;
            parts.add(hi == null ? atLeast(low) : between(low, hi));
        }
        return parts.size() == 1 ? parts.getFirst() : "(" + String.join(") | (", parts) + ")";
    }

    /** a ≤ n, for a ≥ 0. */
    private static String atLeast(BigInteger a) {
        String s = a.toString();
        String sameLength = sameLength(s, "9".repeat(s.length()));
        return "(" + sameLength + ") | [1-9] [0-9]{" + s.length() + ",}";
    }

    /** a ≤ n ≤ b, for 0 ≤ a ≤ b. */
    private static String between(BigInteger a, BigInteger b) {
        List<String> parts = new ArrayList<>();
        int from = a.toString().length();
        int to = b.toString().length();
        for (int length = from; length <= to; length++) {
            BigInteger smallest = length == 1 ? BigInteger.ZERO : BigInteger.TEN.pow(length - 1);
            BigInteger largest = BigInteger.TEN.pow(length).subtract(BigInteger.ONE);
            String x = a.max(smallest).toString();
            String y = b.min(largest).toString();
            parts.add(sameLength(x, y));
        }
        return parts.size() == 1 ? parts.getFirst() : "(" + String.join(") | (", parts) + ")";
    }

    /** x ≤ n ≤ y for digit strings of the same length. */
    private static String sameLength(String x, String y) {
        if (x.equals(y)) {
            return "\"" + x + "\"";
        }
        int i = 0;
        while (x.charAt(i) == y.charAt(i)) {
            i++;
        }
        String prefix = i == 0 ? "" : "\"" + x.substring(0, i) + "\" ";
        int rest = x.length() - i - 1;
        char dx = x.charAt(i);
        char dy = y.charAt(i);
        if (rest == 0) {
            return prefix + digits(dx, dy);
        }
        String xs = x.substring(i + 1);
        String ys = y.substring(i + 1);
        boolean lowFull = xs.equals("0".repeat(rest));
        boolean highFull = ys.equals("9".repeat(rest));
        List<String> alternatives = new ArrayList<>();
        if (!lowFull) {
            alternatives.add("\"" + dx + "\" (" + sameLength(xs, "9".repeat(rest)) + ")");
        }
        char middleFrom = lowFull ? dx : (char) (dx + 1);
        char middleTo = highFull ? dy : (char) (dy - 1);
        if (middleFrom <= middleTo) {
            alternatives.add(digits(middleFrom, middleTo) + " [0-9]" + (rest == 1 ? "" : "{" + rest + "}"));
        }
        if (!highFull) {
            alternatives.add("\"" + dy + "\" (" + sameLength("0".repeat(rest), ys) + ")");
        }
        return prefix + "(" + String.join(" | ", alternatives) + ")";
    }

    private static String digits(char from, char to) {
        return from == to ? "\"" + from + "\"" : "[" + from + "-" + to + "]";
    }
}
