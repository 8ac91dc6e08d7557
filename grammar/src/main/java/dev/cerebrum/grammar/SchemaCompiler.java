package dev.cerebrum.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles a JSON schema to GBNF text; see {@link JsonSchemaGrammars} for what is supported. Every rule is
 * written so that the grammar stays unambiguous where JSON is: whitespace ({@code space}) follows each
 * token and never meets another {@code space}.
 */
final class SchemaCompiler {
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples",
            "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean",
            "null");
    /** Keywords by the type they constrain; a schema without {@code type} takes the type they imply. */
    private static final Map<String, String> KEYWORD_TYPES = Map.ofEntries(
            Map.entry("properties", "object"), Map.entry("required", "object"),
            Map.entry("additionalProperties", "object"), Map.entry("items", "array"),
            Map.entry("prefixItems", "array"), Map.entry("minItems", "array"), Map.entry("maxItems", "array"),
            Map.entry("minLength", "string"), Map.entry("maxLength", "string"), Map.entry("format", "string"),
            Map.entry("minimum", "number"), Map.entry("maximum", "number"),
            Map.entry("exclusiveMinimum", "number"), Map.entry("exclusiveMaximum", "number"));
    /** Keywords recognised but not supported, for a precise message. */
    private static final Set<String> UNSUPPORTED = Set.of("pattern", "patternProperties", "not", "if", "then",
            "else", "dependentSchemas", "dependentRequired", "dependencies", "propertyNames", "minProperties",
            "maxProperties", "unevaluatedProperties", "unevaluatedItems", "contains", "minContains",
            "maxContains", "uniqueItems", "multipleOf", "$dynamicRef", "$dynamicAnchor", "$anchor",
            "$recursiveRef", "$recursiveAnchor", "contentEncoding", "contentMediaType", "contentSchema",
            "additionalItems");

    private static final String SPACE = "| \" \" | \"\\n\" [ \\t]{0,20}";
    private static final String CHAR = "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" "
            + "([0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))";
    private static final Map<String, String> PRIMITIVES = new LinkedHashMap<>();

    static {
        PRIMITIVES.put("space", SPACE);
        PRIMITIVES.put("char", CHAR);
        PRIMITIVES.put("string", "\"\\\"\" char* \"\\\"\"");
        PRIMITIVES.put("number", "\"-\"? (\"0\" | [1-9] [0-9]*) (\".\" [0-9]+)? ([eE] [-+]? [0-9]+)?");
        PRIMITIVES.put("integer", "\"-\"? (\"0\" | [1-9] [0-9]*)");
        PRIMITIVES.put("boolean", "\"true\" | \"false\"");
        PRIMITIVES.put("null", "\"null\"");
        PRIMITIVES.put("value", "object | array | string | number | boolean | null");
        PRIMITIVES.put("object", "\"{\" space (member (\",\" space member)*)? \"}\"");
        PRIMITIVES.put("member", "string space \":\" space value space");
        PRIMITIVES.put("array", "\"[\" space (value space (\",\" space value space)*)? \"]\"");
        PRIMITIVES.put("key-char", "[^\"\\\\\\x7F\\x00-\\x1F]");
        PRIMITIVES.put("hex", "[0-9a-fA-F]");
        PRIMITIVES.put("uuid", "\"\\\"\" hex{8} \"-\" hex{4} \"-\" hex{4} \"-\" hex{4} \"-\" hex{12} \"\\\"\"");
        PRIMITIVES.put("date", "year \"-\" (month-31 \"-\" day-31 | month-30 \"-\" day-30 | \"02-\" day-28)"
                + " | leap-year \"-02-29\"");
        PRIMITIVES.put("year", "[0-9]{4}");
        // a year divisible by 4 and, if it ends a century, by 400
        PRIMITIVES.put("leap-year", "[0-9] [0-9] (\"0\" [48] | [2468] [048] | [13579] [26])"
                + " | (\"0\" [48] | [2468] [048] | [13579] [26] | \"00\") \"00\"");
        PRIMITIVES.put("month-31", "\"0\" [13578] | \"1\" [02]");
        PRIMITIVES.put("month-30", "\"0\" [469] | \"11\"");
        PRIMITIVES.put("day-28", "\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]");
        PRIMITIVES.put("day-30", "\"0\" [1-9] | [12] [0-9] | \"30\"");
        PRIMITIVES.put("day-31", "\"0\" [1-9] | [12] [0-9] | \"3\" [01]");
        PRIMITIVES.put("time", "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" ([0-5] [0-9] | \"60\")"
                + " (\".\" [0-9]+)? ([Zz] | [-+] ([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9])");
        PRIMITIVES.put("date-time", "date [Tt] time");
    }

    /** The names each primitive needs. */
    private static final Map<String, List<String>> DEPENDENCIES = Map.ofEntries(
            Map.entry("string", List.of("char")), Map.entry("value", List.of("object", "array", "string",
                    "number", "boolean", "null")),
            Map.entry("object", List.of("space", "member")), Map.entry("member", List.of("string", "space",
                    "value")),
            Map.entry("array", List.of("space", "value")), Map.entry("uuid", List.of("hex")),
            Map.entry("date", List.of("year", "leap-year", "month-31", "month-30", "day-28", "day-30", "day-31")),
            Map.entry("date-time", List.of("date", "time")));

    private final Object rootSchema;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> refRules = new HashMap<>();
    private final Set<String> usedNames = new LinkedHashSet<>();

    SchemaCompiler(Object rootSchema) {
        this.rootSchema = rootSchema;
    }

    /** A grammar for any JSON object. */
    static String jsonObjectGrammar() {
        SchemaCompiler c = new SchemaCompiler(Map.of());
        c.rules.put("root", "object");
        c.usePrimitive("object");
        return c.format();
    }

    String compile() {
        rules.put("root", null);
        usedNames.add("root");
        rules.put("root", body(rootSchema, ""));
        return format();
    }

    private String format() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> r : rules.entrySet()) {
            out.append(r.getKey()).append(" ::= ").append(r.getValue()).append('\n');
        }
        return out.toString();
    }

    private String usePrimitive(String name) {
        if (!rules.containsKey(name)) {
            rules.put(name, PRIMITIVES.get(name));
            usedNames.add(name);
            for (String dep : DEPENDENCIES.getOrDefault(name, List.of())) {
                usePrimitive(dep);
            }
        }
        return name;
    }

    /** A new rule named after the pointer, unique. */
    private String newRule(String pointer, String body) {
        String base = pointer.isEmpty() ? "root" : pointer.replaceAll("[^a-zA-Z0-9-]+", "-")
                .replaceAll("^-+|-+$", "");
        if (base.isEmpty()) {
            base = "r";
        }
        if (base.length() > 60) {
            base = base.substring(0, 60);
        }
        base = "s-" + base;
        String name = base;
        for (int i = 2; usedNames.contains(name) || PRIMITIVES.containsKey(name); i++) {
            name = base + "-" + i;
        }
        usedNames.add(name);
        rules.put(name, body);
        return name;
    }

    private static UnsupportedSchemaException unsupported(String pointer, String feature, String reason) {
        return new UnsupportedSchemaException(pointer.isEmpty() ? "" : pointer, feature, reason);
    }

    private static String child(String pointer, String token) {
        return pointer + "/" + token.replace("~", "~0").replace("/", "~1");
    }

    // ---- schemas ---------------------------------------------------------------------------------

    /** The body of a rule matching exactly the values {@code schema} allows. */
    private String body(Object schema, String pointer) {
        if (schema instanceof Boolean b) {
            if (!b) {
                throw unsupported(pointer, "false", "the schema false allows no value");
            }
            return usePrimitive("value");
        }
        if (!(schema instanceof Map<?, ?> raw)) {
            throw unsupported(pointer, "schema", "a schema must be an object or a boolean");
        }
        Map<String, Object> s = asObject(raw, pointer);
        for (String key : s.keySet()) {
            if (UNSUPPORTED.contains(key)) {
                if (key.equals("uniqueItems") && Boolean.FALSE.equals(s.get(key))) {
                    continue;
                }
                throw unsupported(child(pointer, key), key, "the keyword '" + key + "' is not supported");
            }
            if (!ANNOTATIONS.contains(key) && !KEYWORD_TYPES.containsKey(key) && !key.startsWith("x-")
                    && !Set.of("type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "uniqueItems")
                    .contains(key)) {
                throw unsupported(child(pointer, key), key, "the keyword '" + key + "' is not known");
            }
        }
        if (s.containsKey("$ref")) {
            onlyWith(s, pointer, "$ref");
            return ref(s.get("$ref"), child(pointer, "$ref"));
        }
        if (s.containsKey("anyOf") || s.containsKey("oneOf")) {
            String key = s.containsKey("anyOf") ? "anyOf" : "oneOf";
            onlyWith(s, pointer, key);
            List<Object> alternatives = asList(s.get(key), child(pointer, key));
            if (alternatives.isEmpty()) {
                throw unsupported(child(pointer, key), key, key + " must not be empty");
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < alternatives.size(); i++) {
                String p = child(child(pointer, key), Integer.toString(i));
                parts.add(newRule(p, body(alternatives.get(i), p)));
            }
            return String.join(" | ", parts);
        }
        if (s.containsKey("allOf")) {
            onlyWith(s, pointer, "allOf");
            return allOf(asList(s.get("allOf"), child(pointer, "allOf")), child(pointer, "allOf"));
        }
        if (s.containsKey("const") || s.containsKey("enum")) {
            return constants(s, pointer);
        }
        List<String> types = types(s, pointer);
        List<String> parts = new ArrayList<>();
        for (String type : types) {
            parts.add(typed(s, type, pointer));
        }
        return parts.size() == 1 ? parts.getFirst() : "(" + String.join(") | (", parts) + ")";
    }

    /** Refuses constraint keywords beside {@code keyword}; annotations may stay. */
    private static void onlyWith(Map<String, Object> s, String pointer, String keyword) {
        for (String key : s.keySet()) {
            if (!key.equals(keyword) && !ANNOTATIONS.contains(key) && !key.startsWith("x-")) {
                throw unsupported(child(pointer, key), key, "'" + key + "' beside '" + keyword
                        + "' is not supported");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value, String pointer) {
        if (!(value instanceof Map<?, ?> m)) {
            throw unsupported(pointer, "schema", "expected an object");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw unsupported(pointer, "schema", "expected an object");
            }
        }
        return (Map<String, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value, String pointer) {
        if (!(value instanceof List<?> l)) {
            throw unsupported(pointer, pointer.substring(pointer.lastIndexOf('/') + 1), "expected an array");
        }
        return (List<Object>) l;
    }

    private static List<String> types(Map<String, Object> s, String pointer) {
        Object type = s.get("type");
        List<String> types = new ArrayList<>();
        if (type == null) {
            for (String key : s.keySet()) {
                String implied = KEYWORD_TYPES.get(key);
                if (implied != null && !types.contains(implied)) {
                    types.add(implied);
                }
            }
            if (types.isEmpty()) {
                return List.of("any");
            }
            if (types.size() > 1) {
                throw unsupported(pointer, "type", "the keywords imply several types (" + String.join(", ", types)
                        + "); give 'type'");
            }
            return types;
        }
        List<Object> listed = type instanceof List<?> l ? new ArrayList<>(l) : List.of(type);
        if (listed.isEmpty()) {
            throw unsupported(child(pointer, "type"), "type", "type must not be an empty list");
        }
        for (Object t : listed) {
            if (!(t instanceof String name) || !TYPES.contains(name)) {
                throw unsupported(child(pointer, "type"), "type", "unknown type " + t);
            }
            if (!types.contains(name)) {
                types.add(name);
            }
        }
        // keywords of a type that is not allowed would be ignored: refuse them instead of guessing
        for (String key : s.keySet()) {
            String implied = KEYWORD_TYPES.get(key);
            if (implied != null && !types.contains(implied)
                    && !(implied.equals("number") && types.contains("integer"))) {
                throw unsupported(child(pointer, key), key, "'" + key + "' applies to " + implied
                        + ", which 'type' does not allow");
            }
        }
        return types;
    }

    private String typed(Map<String, Object> s, String type, String pointer) {
        return switch (type) {
            case "any" -> usePrimitive("value");
            case "object" -> object(s, pointer);
            case "array" -> array(s, pointer);
            case "string" -> string(s, pointer);
            case "number" -> {
                for (String k : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
                    if (s.containsKey(k)) {
                        throw unsupported(child(pointer, k), k, "'" + k + "' is supported for integers only");
                    }
                }
                yield usePrimitive("number");
            }
            case "integer" -> integer(s, pointer);
            case "boolean" -> usePrimitive("boolean");
            default -> usePrimitive("null");
        };
    }

    // ---- $ref ------------------------------------------------------------------------------------

    private String ref(Object value, String pointer) {
        if (!(value instanceof String ref)) {
            throw unsupported(pointer, "$ref", "$ref must be a string");
        }
        if (!ref.startsWith("#")) {
            throw unsupported(pointer, "$ref", "only local references (starting with '#') are supported, not '"
                    + shorten(ref) + "'");
        }
        String known = refRules.get(ref);
        if (known != null) {
            return known;
        }
        Object target = resolve(ref, pointer);
        String targetPointer = ref.substring(1);
        String name = newRule(targetPointer.isEmpty() ? "ref-root" : "ref" + targetPointer, null);
        refRules.put(ref, name);
        rules.put(name, body(target, targetPointer));
        return name;
    }

    private Object resolve(String ref, String pointer) {
        String path = ref.substring(1);
        Object node = rootSchema;
        if (path.isEmpty()) {
            return node;
        }
        if (!path.startsWith("/")) {
            throw unsupported(pointer, "$ref", "'" + shorten(ref) + "' is not a JSON pointer");
        }
        for (String raw : path.substring(1).split("/", -1)) {
            String token = java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("~1", "/").replace("~0", "~");
            if (node instanceof Map<?, ?> m && m.containsKey(token)) {
                node = m.get(token);
            } else if (node instanceof List<?> l && token.matches("0|[1-9][0-9]{0,8}")
                    && Integer.parseInt(token) < l.size()) {
                node = l.get(Integer.parseInt(token));
            } else {
                throw unsupported(pointer, "$ref", "'" + shorten(ref) + "' does not point into the schema");
            }
        }
        return node;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    // ---- allOf -----------------------------------------------------------------------------------

    /** allOf of plain object schemas (properties, required, annotations), possibly through $ref. */
    private String allOf(List<Object> members, String pointer) {
        if (members.isEmpty()) {
            throw unsupported(pointer, "allOf", "allOf must not be empty");
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        Set<String> required = new LinkedHashSet<>();
        for (int i = 0; i < members.size(); i++) {
            String p = child(pointer, Integer.toString(i));
            Object member = members.get(i);
            Set<String> seen = new LinkedHashSet<>();
            while (member instanceof Map<?, ?> m && m.containsKey("$ref")) {
                Object ref = m.get("$ref");
                if (!(ref instanceof String r) || !r.startsWith("#") || !seen.add(r)) {
                    throw unsupported(p, "allOf", "allOf members must be plain object schemas");
                }
                onlyWith(asObject(m, p), p, "$ref");
                member = resolve(r, p);
            }
            Map<String, Object> s = asObject(member, p);
            for (String key : s.keySet()) {
                boolean plain = key.equals("properties") || key.equals("required") || ANNOTATIONS.contains(key)
                        || key.startsWith("x-") || (key.equals("type") && "object".equals(s.get(key)));
                if (!plain) {
                    throw unsupported(child(p, key), "allOf", "allOf members may only have 'type': 'object',"
                            + " 'properties' and 'required'; '" + key + "' is not supported there");
                }
            }
            if (s.get("properties") != null) {
                Map<String, Object> props = asObject(s.get("properties"), child(p, "properties"));
                for (Map.Entry<String, Object> e : props.entrySet()) {
                    Object before = properties.putIfAbsent(e.getKey(), e.getValue());
                    if (before != null && !before.equals(e.getValue())) {
                        throw unsupported(child(child(p, "properties"), e.getKey()), "allOf", "property '"
                                + shorten(e.getKey()) + "' has different schemas in two allOf members");
                    }
                }
            }
            if (s.get("required") != null) {
                for (Object r : asList(s.get("required"), child(p, "required"))) {
                    if (!(r instanceof String name)) {
                        throw unsupported(child(p, "required"), "required", "required must list strings");
                    }
                    required.add(name);
                }
            }
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        merged.put("properties", properties);
        merged.put("required", new ArrayList<>(required));
        return object(merged, pointer);
    }

    // ---- objects ---------------------------------------------------------------------------------

    private String object(Map<String, Object> s, String pointer) {
        Map<String, Object> properties = s.get("properties") == null ? Map.of()
                : asObject(s.get("properties"), child(pointer, "properties"));
        Set<String> required = new LinkedHashSet<>();
        if (s.get("required") != null) {
            for (Object r : asList(s.get("required"), child(pointer, "required"))) {
                if (!(r instanceof String name)) {
                    throw unsupported(child(pointer, "required"), "required", "required must list strings");
                }
                required.add(name);
            }
        }
        // properties in written order, then required names that properties does not describe (any value)
        List<String> names = new ArrayList<>(properties.keySet());
        for (String r : required) {
            if (!properties.containsKey(r)) {
                names.add(r);
            }
        }
        List<String> members = new ArrayList<>();
        for (String name : names) {
            String p = child(child(pointer, "properties"), name);
            Object propertySchema = properties.getOrDefault(name, Boolean.TRUE);
            String value = valueRule(propertySchema, p);
            members.add(literal(jsonString(name)) + " space \":\" space " + value + " space");
        }
        usePrimitive("space");
        Object additional = s.get("additionalProperties");
        String extra = null;
        if (additional != null && !Boolean.FALSE.equals(additional)) {
            String p = child(pointer, "additionalProperties");
            String value = valueRule(additional, p);
            String key = newRule(p + "/key", notOneOf(names));
            extra = newRule(p + "/member", key + " space \":\" space " + value + " space");
        }
        if (members.isEmpty() && extra == null) {
            return "\"{\" space \"}\"";
        }
        // first[i]: members i.. when none came before; rest[i]: when one did (so a comma leads)
        String tailFirst = extra == null ? "" : "(" + extra + " (\",\" space " + extra + ")*)?";
        String tailRest = extra == null ? "" : "(\",\" space " + extra + ")*";
        String first = tailFirst;
        String rest = tailRest;
        for (int i = names.size() - 1; i >= 0; i--) {
            String member = members.get(i);
            String restRule = rest.isEmpty() ? "" : " " + ruleFor(pointer + "/rest" + (i + 1), rest);
            boolean isRequired = required.contains(names.get(i));
            // only an optional member needs the members after it on their own
            String firstRule = first.isEmpty() || isRequired ? "" : ruleFor(pointer + "/first" + (i + 1), first);
            String newFirst = member + restRule;
            String newRest = "\",\" space " + member + restRule;
            if (!isRequired) {
                newFirst = "(" + newFirst + ")" + (firstRule.isEmpty() ? "?" : " | " + firstRule);
                newRest = "(" + newRest + ")" + (rest.isEmpty() ? "?" : " | " + restRule.trim());
            }
            first = newFirst;
            rest = newRest;
        }
        String content = first.isEmpty() ? "" : " " + ruleFor(pointer + "/members", first);
        return "\"{\" space" + content + " \"}\"";
    }

    /** A rule for {@code body}, or the body itself when it is already a single name. */
    private String ruleFor(String pointer, String body) {
        return body.matches("[a-zA-Z0-9-]+") ? body : newRule(pointer, body);
    }

    /** A rule name for the values of a sub-schema. */
    private String valueRule(Object schema, String pointer) {
        if (Boolean.TRUE.equals(schema) || (schema instanceof Map<?, ?> m && m.isEmpty())) {
            return usePrimitive("value");
        }
        return ruleFor(pointer, body(schema, pointer));
    }

    /**
     * A JSON string key that is none of {@code excluded}, without escapes: a trie over the excluded names,
     * where every branch that leaves the trie may continue freely, and a name of the trie may not end.
     */
    private String notOneOf(List<String> excluded) {
        usePrimitive("key-char");
        if (excluded.isEmpty()) {
            return "\"\\\"\" key-char* \"\\\"\"";
        }
        Trie trie = new Trie();
        for (String name : excluded) {
            trie.add(name);
        }
        return "\"\\\"\" " + trieRule(trie) + " \"\\\"\"";
    }

    private static final class Trie {
        final TreeMap<Integer, Trie> children = new TreeMap<>();
        boolean end;

        void add(String name) {
            Trie node = this;
            for (int cp : name.codePoints().toArray()) {
                node = node.children.computeIfAbsent(cp, k -> new Trie());
            }
            node.end = true;
        }
    }

    /** Strings (of key-chars) that avoid the names ending in this trie node. */
    private String trieRule(Trie node) {
        List<String> alternatives = new ArrayList<>();
        StringBuilder others = new StringBuilder("[^\"\\\\\\x7F\\x00-\\x1F");
        for (Map.Entry<Integer, Trie> e : node.children.entrySet()) {
            String c = classChar(e.getKey());
            others.append(c);
            alternatives.add("[" + c + "] (" + trieRule(e.getValue()) + ")");
        }
        others.append("]");
        if (!node.children.isEmpty()) {
            alternatives.add(others + " key-char*");
        }
        // when a name ends here, the key must go on
        String body = String.join(" | ", alternatives);
        if (node.end) {
            return node.children.isEmpty() ? "key-char+" : body;
        }
        return body.isEmpty() ? "" : "(" + body + ")?";
    }

    // ---- arrays ----------------------------------------------------------------------------------

    private String array(Map<String, Object> s, String pointer) {
        int min = count(s, "minItems", pointer, 0);
        Integer max = s.containsKey("maxItems") ? count(s, "maxItems", pointer, 0) : null;
        if (max != null && max < min) {
            throw unsupported(child(pointer, "maxItems"), "maxItems", "maxItems is below minItems");
        }
        List<Object> prefix = List.of();
        Object items = s.get("items");
        if (s.containsKey("prefixItems")) {
            prefix = asList(s.get("prefixItems"), child(pointer, "prefixItems"));
        } else if (items instanceof List<?>) {
            // draft-07 tuple form: items is the prefix and nothing may follow
            prefix = asList(items, child(pointer, "items"));
            items = Boolean.FALSE;
        }
        List<String> prefixRules = new ArrayList<>();
        for (int i = 0; i < prefix.size(); i++) {
            String key = s.containsKey("prefixItems") ? "prefixItems" : "items";
            String p = child(child(pointer, key), Integer.toString(i));
            prefixRules.add(valueRule(prefix.get(i), p));
        }
        String restRule = Boolean.FALSE.equals(items) ? null
                : valueRule(items == null ? Boolean.TRUE : items, child(pointer, "items"));
        if (restRule == null && min > prefix.size()) {
            throw unsupported(child(pointer, "minItems"), "minItems", "minItems is above the number of items"
                    + " allowed");
        }
        usePrimitive("space");
        String body = arrayItems(prefixRules, restRule, min, max, 0);
        return "\"[\" space" + (body.isEmpty() ? "" : " " + body) + " \"]\"";
    }

    /** Items from position i on, with i items before; nested so that an absent item ends the array. */
    private String arrayItems(List<String> prefix, String rest, int min, Integer max, int i) {
        String lead = i == 0 ? "" : "\",\" space ";
        if (max != null && i >= max) {
            return "";
        }
        if (i < prefix.size()) {
            String tail = arrayItems(prefix, rest, min, max, i + 1);
            String seq = lead + prefix.get(i) + " space" + (tail.isEmpty() ? "" : " " + tail);
            return i < min ? seq : "(" + seq + ")?";
        }
        if (rest == null) {
            return "";
        }
        int lo = Math.max(0, min - i);
        Integer hi = max == null ? null : max - i;
        String item = rest + " space";
        if (i == 0) {
            // the first item has no comma: item ("," item){lo-1,hi-1}, optional when lo is 0
            String more = repetition("(\",\" space " + item + ")", Math.max(0, lo - 1), hi == null ? null : hi - 1);
            String seq = item + (more.isEmpty() ? "" : " " + more);
            return lo == 0 ? "(" + seq + ")?" : seq;
        }
        return repetition("(\",\" space " + item + ")", lo, hi);
    }

    private static String repetition(String item, int min, Integer max) {
        if (max != null && max == 0) {
            return "";
        }
        if (max == null) {
            return min == 0 ? item + "*" : min == 1 ? item + "+" : item + "{" + min + ",}";
        }
        if (min == 0 && max == 1) {
            return item + "?";
        }
        return min == max ? item + "{" + min + "}" : item + "{" + min + "," + max + "}";
    }

    private static int count(Map<String, Object> s, String key, String pointer, int otherwise) {
        Object v = s.get(key);
        if (v == null) {
            return otherwise;
        }
        BigInteger n = integral(v, child(pointer, key), key);
        if (n.signum() < 0) {
            throw unsupported(child(pointer, key), key, key + " must not be negative");
        }
        if (n.compareTo(BigInteger.valueOf(GrammarLimits.MAX_REPETITION)) > 0) {
            throw unsupported(child(pointer, key), key, key + " above " + GrammarLimits.MAX_REPETITION
                    + " is not supported");
        }
        return n.intValue();
    }

    private static BigInteger integral(Object v, String pointer, String key) {
        BigDecimal d = decimal(v, pointer, key);
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw unsupported(pointer, key, key + " must be an integer");
        }
    }

    private static BigDecimal decimal(Object v, String pointer, String key) {
        if (v instanceof Boolean || !(v instanceof Number n)) {
            throw unsupported(pointer, key, key + " must be a number");
        }
        if (n instanceof BigDecimal b) {
            return b;
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw unsupported(pointer, key, key + " must be finite");
            }
            return new BigDecimal(Double.toString(d));
        }
        return BigDecimal.valueOf(n.longValue());
    }

    // ---- strings ---------------------------------------------------------------------------------

    private String string(Map<String, Object> s, String pointer) {
        Object format = s.get("format");
        if (format != null) {
            for (String k : List.of("minLength", "maxLength")) {
                if (s.containsKey(k)) {
                    throw unsupported(child(pointer, k), k, "'" + k + "' beside 'format' is not supported");
                }
            }
            if (!(format instanceof String f)) {
                throw unsupported(child(pointer, "format"), "format", "format must be a string");
            }
            return switch (f) {
                case "uuid" -> usePrimitive("uuid");
                case "date", "time", "date-time" -> "\"\\\"\" " + usePrimitive(f) + " \"\\\"\"";
                default -> throw unsupported(child(pointer, "format"), "format", "format '" + shorten(f)
                        + "' is not supported (date, time, date-time and uuid are)");
            };
        }
        int min = count(s, "minLength", pointer, 0);
        Integer max = s.containsKey("maxLength") ? count(s, "maxLength", pointer, 0) : null;
        if (max != null && max < min) {
            throw unsupported(child(pointer, "maxLength"), "maxLength", "maxLength is below minLength");
        }
        if (min == 0 && max == null) {
            return usePrimitive("string");
        }
        usePrimitive("char");
        String chars = repetition("char", min, max);
        return "\"\\\"\"" + (chars.isEmpty() ? "" : " " + chars) + " \"\\\"\"";
    }

    // ---- integers --------------------------------------------------------------------------------

    private String integer(Map<String, Object> s, String pointer) {
        BigInteger lo = null;
        BigInteger hi = null;
        if (s.containsKey("minimum")) {
            lo = decimal(s.get("minimum"), child(pointer, "minimum"), "minimum").setScale(0, RoundingMode.CEILING)
                    .toBigIntegerExact();
        }
        if (s.containsKey("exclusiveMinimum")) {
            BigDecimal d = decimal(s.get("exclusiveMinimum"), child(pointer, "exclusiveMinimum"), "exclusiveMinimum");
            BigInteger v = d.setScale(0, RoundingMode.FLOOR).toBigIntegerExact().add(BigInteger.ONE);
            lo = lo == null ? v : lo.max(v);
        }
        if (s.containsKey("maximum")) {
            hi = decimal(s.get("maximum"), child(pointer, "maximum"), "maximum").setScale(0, RoundingMode.FLOOR)
                    .toBigIntegerExact();
        }
        if (s.containsKey("exclusiveMaximum")) {
            BigDecimal d = decimal(s.get("exclusiveMaximum"), child(pointer, "exclusiveMaximum"), "exclusiveMaximum");
            BigInteger v = d.setScale(0, RoundingMode.CEILING).toBigIntegerExact().subtract(BigInteger.ONE);
            hi = hi == null ? v : hi.min(v);
        }
        if (lo == null && hi == null) {
            return usePrimitive("integer");
        }
        for (BigInteger b : new BigInteger[] {lo, hi}) {
            if (b != null && b.abs().toString().length() > 30) {
                throw unsupported(pointer, "minimum", "integer bounds beyond 30 digits are not supported");
            }
        }
        if (lo != null && hi != null && lo.compareTo(hi) > 0) {
            throw unsupported(pointer, "minimum", "no integer lies between the bounds");
        }
        return IntegerRanges.grammar(lo, hi);
    }

    // ---- constants -------------------------------------------------------------------------------

    private String constants(Map<String, Object> s, String pointer) {
        for (String key : s.keySet()) {
            if (!key.equals("const") && !key.equals("enum") && !key.equals("type") && !ANNOTATIONS.contains(key)
                    && !key.startsWith("x-")) {
                throw unsupported(child(pointer, key), key, "'" + key + "' beside 'enum' or 'const' is not"
                        + " supported");
            }
        }
        List<Object> values = new ArrayList<>();
        if (s.containsKey("const")) {
            values.add(s.get("const"));
        }
        if (s.containsKey("enum")) {
            List<Object> listed = asList(s.get("enum"), child(pointer, "enum"));
            values = s.containsKey("const") ? (listed.contains(s.get("const")) ? values : List.of()) : listed;
        }
        if (s.containsKey("type")) {
            List<String> types = types(Map.of("type", s.get("type")), pointer);
            values = values.stream().filter(v -> types.contains(jsonType(v))
                    || (types.contains("number") && jsonType(v).equals("integer"))).toList();
        }
        if (values.isEmpty()) {
            throw unsupported(pointer, "enum", "no value is allowed");
        }
        usePrimitive("space");
        List<String> parts = new ArrayList<>();
        for (Object v : values) {
            String part = constant(v, pointer);
            if (!parts.contains(part)) {
                parts.add(part);
            }
        }
        return parts.size() == 1 ? parts.getFirst() : "(" + String.join(") | (", parts) + ")";
    }

    private static String jsonType(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Map<?, ?>) {
            return "object";
        }
        if (v instanceof List<?>) {
            return "array";
        }
        if (v instanceof Number n) {
            try {
                decimal(n, "", "enum").toBigIntegerExact();
                return "integer";
            } catch (ArithmeticException | UnsupportedSchemaException e) {
                return "number";
            }
        }
        return "unknown";
    }

    /** One JSON value exactly, whitespace allowed after each token as in any document. */
    private String constant(Object v, String pointer) {
        if (v == null) {
            return "\"null\"";
        }
        if (v instanceof Boolean b) {
            return b ? "\"true\"" : "\"false\"";
        }
        if (v instanceof String str) {
            return literal(jsonString(str));
        }
        if (v instanceof Number n) {
            return literal(jsonNumber(n, pointer));
        }
        if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                return "\"[\" space \"]\"";
            }
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add("(" + constant(item, pointer) + ") space");
            }
            return "\"[\" space " + String.join(" \",\" space ", items) + " \"]\"";
        }
        if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                return "\"{\" space \"}\"";
            }
            List<String> members = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                members.add(literal(jsonString(String.valueOf(e.getKey()))) + " space \":\" space ("
                        + constant(e.getValue(), pointer) + ") space");
            }
            return "\"{\" space " + String.join(" \",\" space ", members) + " \"}\"";
        }
        throw unsupported(pointer, "enum", "not a JSON value: " + v.getClass().getSimpleName());
    }

    private static String jsonNumber(Number n, String pointer) {
        BigDecimal d = decimal(n, pointer, "enum");
        try {
            return d.toBigIntegerExact().toString();
        } catch (ArithmeticException e) {
            return d.stripTrailingZeros().toString();
        }
    }

    /** A string as JSON text, with only the escapes JSON requires (and DEL, which the char rule escapes). */
    static String jsonString(String s) {
        return quoted(s, cp -> switch (cp) {
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> cp < 0x20 || cp == 0x7F || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)
                    ? String.format("\\u%04x", cp) : null;
        });
    }

    /** A GBNF string literal matching {@code text} exactly. */
    static String literal(String text) {
        return quoted(text, cp -> cp < 0x20 || cp == 0x7F ? String.format("\\x%02X", cp) : null);
    }

    /** Text in double quotes with {@code " \ \n \r \t} escaped, and others as {@code escape} says (null: as is). */
    private static String quoted(String text, java.util.function.IntFunction<String> escape) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    String escaped = escape.apply(cp);
                    if (escaped != null) {
                        out.append(escaped);
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /** A character for inside a GBNF class. */
    private static String classChar(int cp) {
        return switch (cp) {
            case ']' -> "\\]";
            case '[' -> "\\[";
            case '\\' -> "\\\\";
            case '"' -> "\\\"";
            case '-' -> "\\x2D";
            case '^' -> "\\x5E";
            default -> cp < 0x20 || cp == 0x7F ? String.format("\\x%02X", cp) : new String(Character.toChars(cp));
        };
    }
}
