package dev.cerebrum.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Python numbers: {@code int} is a {@link Long} or, beyond 64 bits, a {@link BigInteger}; {@code float} is a
 * {@link Double}; {@code bool} counts as an int in arithmetic. Division floors, {@code %} takes the
 * divisor's sign, and floats print as Python's shortest {@code repr}.
 */
final class PyNum {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** A power whose result would need more bits than this is refused. */
    private static final long MAX_POW_BITS = 1 << 20;

    private PyNum() {
    }

    static Object normalize(BigInteger value) {
        return value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0 ? (Object) value.longValue() : value;
    }

    /** int, including bool. */
    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof BigInteger || v instanceof Boolean;
    }

    static boolean isNumber(Object v) {
        return isInt(v) || v instanceof Double;
    }

    static BigInteger big(Object v) {
        if (v instanceof BigInteger b) {
            return b;
        }
        if (v instanceof Boolean b) {
            return b ? BigInteger.ONE : BigInteger.ZERO;
        }
        return BigInteger.valueOf((Long) v);
    }

    /** The int value of an int that fits a long (bool included); null for anything else. */
    static Long smallInt(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        return null;
    }

    static double toDouble(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof BigInteger b) {
            double d = b.doubleValue();
            if (Double.isInfinite(d)) {
                throw JinjaRuntimeError.type("int too large to convert to float");
            }
            return d;
        }
        return smallInt(v);
    }

    // ---------------------------------------------------------------- arithmetic (both operands numbers)

    static Object add(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            return toDouble(a) + toDouble(b);
        }
        Long x = smallInt(a);
        Long y = smallInt(b);
        if (x != null && y != null) {
            long r = x + y;
            if (((x ^ r) & (y ^ r)) >= 0) {
                return r;
            }
        }
        return normalize(big(a).add(big(b)));
    }

    static Object sub(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            return toDouble(a) - toDouble(b);
        }
        Long x = smallInt(a);
        Long y = smallInt(b);
        if (x != null && y != null) {
            long r = x - y;
            if (((x ^ y) & (x ^ r)) >= 0) {
                return r;
            }
        }
        return normalize(big(a).subtract(big(b)));
    }

    static Object mul(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            return toDouble(a) * toDouble(b);
        }
        Long x = smallInt(a);
        Long y = smallInt(b);
        if (x != null && y != null) {
            long hi = Math.multiplyHigh(x, y);
            long lo = x * y;
            if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
                return lo;
            }
        }
        BigInteger left = big(a);
        BigInteger right = big(b);
        checkBits((long) left.bitLength() + right.bitLength());
        return normalize(left.multiply(right));
    }

    /** Refuses integers beyond {@link #MAX_POW_BITS} bits and charges big-number work by size. */
    private static void checkBits(long bits) {
        if (bits > MAX_POW_BITS) {
            throw JinjaRuntimeError.limit("an integer would be too large");
        }
        Budget.charge(bits >> 6);
    }

    /**
     * Python's {@code str(int)}. Python 3.11 refuses to print an int of more than 4300 digits
     * ({@code sys.int_info.default_max_str_digits}), so this does too.
     */
    static String intText(BigInteger value) {
        String text = value.toString();
        if (value.bitLength() > 14_000 && text.length() - (value.signum() < 0 ? 1 : 0) > 4300) {
            throw JinjaRuntimeError.type("Exceeds the limit (4300 digits) for integer string conversion;"
                    + " use sys.set_int_max_str_digits() to increase the limit");
        }
        return text;
    }

    static Object trueDiv(Object a, Object b) {
        double y = toDouble(b);
        if (y == 0) {
            throw JinjaRuntimeError.type(a instanceof Double || b instanceof Double
                    ? "float division by zero" : "division by zero");
        }
        if (isInt(a) && isInt(b) && (a instanceof BigInteger || b instanceof BigInteger)) {
            return new BigDecimal(big(a)).divide(new BigDecimal(big(b)), java.math.MathContext.DECIMAL128).doubleValue();
        }
        return toDouble(a) / y;
    }

    static Object floorDiv(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            double x = toDouble(a);
            double y = toDouble(b);
            if (y == 0) {
                throw JinjaRuntimeError.type("float floor division by zero");
            }
            return floatDivmod(x, y)[0];
        }
        if (big(b).signum() == 0) {
            throw JinjaRuntimeError.type("integer division or modulo by zero");
        }
        Long x = smallInt(a);
        Long y = smallInt(b);
        if (x != null && y != null && !(x == Long.MIN_VALUE && y == -1)) {
            return Math.floorDiv(x, y);
        }
        BigInteger[] qr = big(a).divideAndRemainder(big(b));
        BigInteger q = qr[0];
        if (qr[1].signum() != 0 && qr[1].signum() != big(b).signum()) {
            q = q.subtract(BigInteger.ONE);
        }
        return normalize(q);
    }

    static Object mod(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            double x = toDouble(a);
            double y = toDouble(b);
            if (y == 0) {
                throw JinjaRuntimeError.type("float modulo");
            }
            return floatDivmod(x, y)[1];
        }
        if (big(b).signum() == 0) {
            throw JinjaRuntimeError.type("integer division or modulo by zero");
        }
        Long x = smallInt(a);
        Long y = smallInt(b);
        if (x != null && y != null) {
            return Math.floorMod(x, y);
        }
        BigInteger r = big(a).mod(big(b).abs());
        if (big(b).signum() < 0 && r.signum() != 0) {
            r = r.add(big(b));
        }
        return normalize(r);
    }

    /** CPython's {@code float_divmod}. */
    private static double[] floatDivmod(double vx, double wx) {
        double mod = vx % wx;
        double div = (vx - mod) / wx;
        if (mod != 0) {
            if ((wx < 0) != (mod < 0)) {
                mod += wx;
                div -= 1.0;
            }
        } else {
            mod = Math.copySign(0.0, wx);
        }
        double floordiv;
        if (div != 0) {
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) {
                floordiv += 1.0;
            }
        } else {
            floordiv = Math.copySign(0.0, vx / wx);
        }
        return new double[] {floordiv, mod};
    }

    static Object pow(Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            BigInteger base = big(a);
            BigInteger exponent = big(b);
            if (exponent.signum() >= 0) {
                long bits = Math.max(1, base.abs().bitLength());
                if (exponent.bitLength() > 31 || bits * exponent.longValue() > MAX_POW_BITS) {
                    if (base.abs().compareTo(BigInteger.ONE) <= 0) {
                        return normalize(base.signum() == 0 ? (exponent.signum() == 0 ? BigInteger.ONE : BigInteger.ZERO)
                                : base.signum() > 0 || !exponent.testBit(0) ? BigInteger.ONE : base);
                    }
                    throw JinjaRuntimeError.limit("an integer power would be too large");
                }
                checkBits(bits * exponent.longValue());
                return normalize(base.pow(exponent.intValue()));
            }
            if (base.signum() == 0) {
                throw JinjaRuntimeError.type("0.0 cannot be raised to a negative power");
            }
        }
        double x = toDouble(a);
        double y = toDouble(b);
        if (x == 0 && y < 0) {
            throw JinjaRuntimeError.type("0.0 cannot be raised to a negative power");
        }
        if (x < 0 && y != Math.rint(y)) {
            throw JinjaRuntimeError.type("a negative number cannot be raised to a fractional power");
        }
        double r = Math.pow(x, y);
        if (Double.isInfinite(r) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
            throw JinjaRuntimeError.type("(34, 'Numerical result out of range')");
        }
        return r;
    }

    static Object neg(Object a) {
        if (a instanceof Double d) {
            return -d;
        }
        Long x = smallInt(a);
        if (x != null && x != Long.MIN_VALUE) {
            return -x;
        }
        return normalize(big(a).negate());
    }

    static Object pos(Object a) {
        return a instanceof Boolean b ? (Object) (b ? 1L : 0L) : a;
    }

    static Object abs(Object a) {
        if (a instanceof Double d) {
            return Math.abs(d);
        }
        return normalize(big(a).abs());
    }

    static int compare(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            if (isInt(a) && a instanceof BigInteger || isInt(b) && b instanceof BigInteger) {
                return decimal(a).compareTo(decimal(b));
            }
            return Double.compare(toDouble(a) + 0.0, toDouble(b) + 0.0);
        }
        Long x = smallInt(a);
        Long y = smallInt(b);
        if (x != null && y != null) {
            return Long.compare(x, y);
        }
        return big(a).compareTo(big(b));
    }

    private static BigDecimal decimal(Object v) {
        return v instanceof Double d ? new BigDecimal(d) : new BigDecimal(big(v));
    }

    static boolean numEquals(Object a, Object b) {
        if (a instanceof Double x && Double.isNaN(x) || b instanceof Double y && Double.isNaN(y)) {
            return false;
        }
        return compare(a, b) == 0;
    }

    /** Python's {@code round(x, ndigits)}: half to even on the exact binary value. */
    static Object round(Object value, long digits) {
        if (isInt(value)) {
            if (digits >= 0) {
                return value instanceof Boolean b ? (Object) (b ? 1L : 0L) : value;
            }
            BigDecimal rounded = new BigDecimal(big(value)).setScale((int) digits, RoundingMode.HALF_EVEN);
            return normalize(rounded.toBigInteger());
        }
        double d = (Double) value;
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return d;
        }
        if (digits > 400) {
            return d;
        }
        return new BigDecimal(d).setScale((int) Math.max(digits, -400), RoundingMode.HALF_EVEN).doubleValue();
    }

    // ---------------------------------------------------------------- printing

    /** Python's {@code repr(float)}: the shortest round-tripping digits, exponent outside 1e-4 .. 1e16. */
    static String repr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        String java = Double.toString(Math.abs(d));
        String mantissa = java;
        int exponent = 0;
        int e = java.indexOf('E');
        if (e >= 0) {
            mantissa = java.substring(0, e);
            exponent = Integer.parseInt(java.substring(e + 1));
        }
        int dot = mantissa.indexOf('.');
        String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        int decpt = dot + exponent;
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
            decpt--;
        }
        digits = digits.substring(lead);
        int trail = digits.length();
        while (trail > 1 && digits.charAt(trail - 1) == '0') {
            trail--;
        }
        digits = digits.substring(0, trail);
        StringBuilder out = new StringBuilder(24);
        if (d < 0) {
            out.append('-');
        }
        if (decpt <= -4 || decpt > 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            out.append('e').append(exp < 0 ? '-' : '+');
            String expDigits = Integer.toString(Math.abs(exp));
            if (expDigits.length() < 2) {
                out.append('0');
            }
            out.append(expDigits);
        } else if (decpt <= 0) {
            out.append("0.").append("0".repeat(-decpt)).append(digits);
        } else if (decpt >= digits.length()) {
            out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
        } else {
            out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
        return out.toString();
    }

    /** Parses Python {@code int(str, base)}; null when the text is not an integer. */
    static Object parseInt(String text, int base) {
        String s = PyStr.strip(text, null).replace("_", "");
        if (s.isEmpty() || text.contains("__") || PyStr.strip(text, null).startsWith("_")) {
            return null;
        }
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (base == 0 || base == 16 || base == 8 || base == 2) {
            String lower = s.toLowerCase();
            int prefixBase = lower.startsWith("0x") ? 16 : lower.startsWith("0o") ? 8 : lower.startsWith("0b") ? 2 : 0;
            if (prefixBase != 0 && (base == 0 || base == prefixBase)) {
                s = s.substring(2);
                base = prefixBase;
            } else if (base == 0) {
                base = 10;
            }
        }
        if (s.isEmpty()) {
            return null;
        }
        try {
            BigInteger value = new BigInteger(s, base);
            return normalize(negative ? value.negate() : value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Parses Python {@code float(str)}; null when the text is not a float. */
    static Double parseFloat(String text) {
        String s = PyStr.strip(text, null);
        String lower = s.toLowerCase();
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        boolean negative = lower.startsWith("-");
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        if (!s.matches("[+-]?((\\d(_?\\d)*)?\\.?\\d(_?\\d)*|\\d(_?\\d)*\\.)([eE][+-]?\\d(_?\\d)*)?")) {
            return null;
        }
        return Double.parseDouble(s.replace("_", ""));
    }
}
