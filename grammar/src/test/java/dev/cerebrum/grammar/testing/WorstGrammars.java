package dev.cerebrum.grammar.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Grammars just inside each limit of {@code GrammarLimits}: the worst the validator accepts. */
public final class WorstGrammars {

    private WorstGrammars() {
    }

    /** By the limit they approach. */
    public static Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("bytes", "root ::= \"" + "abcdefghijklmnopqrstuvwxyz".repeat(2519) + "\"\n");
        out.put("nesting", "root ::= " + "(".repeat(64) + "\"a\"" + ")".repeat(64) + "\n");
        out.put("repetition", "root ::= (\"ab\" | \"cd\"){0,1000}\n");
        StringBuilder rules = new StringBuilder("root ::= x0 x1 x2 x3 x4 x5 x6 x7 x8\n");
        for (int i = 0; i < 9; i++) {
            rules.append('x').append(i).append(" ::= \"").append((char) ('a' + i)).append("\"{0,1000}\n");
        }
        out.put("rules", rules.toString());
        out.put("elements", "root ::= \"" + "abcdefghij".repeat(10) + "\"{999}\n");
        out.put("parse states", "root ::=" + " r".repeat(99) + "\nr ::= \"abcdefghij\"{100}\n");
        StringBuilder fanOut = new StringBuilder("root ::=");
        for (int i = 0; i < 63; i++) {
            fanOut.append(" \"").appendCodePoint(0x4E00 + i).append("\"?");
        }
        out.put("fan-out", fanOut.append(" \"!\"\n").toString());
        StringBuilder loop = new StringBuilder("root ::= (");
        for (int i = 0; i < 63; i++) {
            loop.append(i == 0 ? "\"" : " | \"").appendCodePoint(0x4E00 + i).append('"');
        }
        out.put("fan-out loop", loop.append(")* \"!\"\n").toString());
        out.put("ambiguity", "root ::= r2 \"b\"\nr0 ::= \"a\"\nr1 ::= r0{0,5}\nr2 ::= r1{0,5}\n");
        out.put("explored", "root ::= " + "x ".repeat(13) + "\"b\"\nx ::= | \n");
        StringBuilder chain = new StringBuilder("root ::= r1\n");
        for (int i = 1; i < 1000; i++) {
            chain.append('r').append(i).append(" ::= r").append(i + 1).append(" \"a\"\n");
        }
        out.put("empty chain", chain.append("r1000 ::= \"a\"\n").toString());
        return out;
    }
}
