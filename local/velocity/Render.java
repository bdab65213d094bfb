// Render is the Java half of package velocity (github.com/ddnsgen/ddnsgen/local/velocity):
// one long-lived JVM that renders API Gateway REST API mapping templates with Apache
// Velocity 1.7 and stand-ins for API Gateway's $input, $util, $context and $stageVariables.
//
// It runs as a Java 17 single-file source program:
//
//	java -cp velocity-1.7.jar:commons-collections3.jar:commons-lang.jar Render.java
//
// Protocol (stdin -> requests, stdout -> answers; nothing else is ever written to stdout):
// every message is a frame: a 4-byte big-endian length, then that many bytes holding one
// encoded value. A value is a tag byte and a payload:
//
//	'S' u32 length, UTF-8 bytes     a string
//	'I' 8-byte signed integer
//	'D' 8-byte IEEE 754 double
//	'T' / 'F'                       true / false
//	'N'                             null
//	'M' u32 count, count x (u32 length, UTF-8 key bytes, value)   a map
//	'L' u32 count, count x value    a list
//
// After start-up the program sends one frame, a map {"ready": "..."}. Each request frame is a
// map (template, body, path, querystring, header, context, stageVariables, requestOverride,
// responseOverride) and is answered by exactly one frame: a map with "output",
// "requestOverride", "responseOverride" and "nullReferences", or a map with "error".
// End of input makes the program exit 0.

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UnsupportedEncodingException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;
import org.apache.velocity.exception.MethodInvocationException;
import org.apache.velocity.exception.ParseErrorException;
import org.apache.velocity.util.introspection.Info;
import org.apache.velocity.util.introspection.SecureUberspector;

public class Render {
    /** API Gateway stops a #foreach after 1,000 iterations; we report the 1,001st as an error. */
    static final int MAX_FOREACH_ITERATIONS = 1000;

    /** Frames larger than this are refused (a template is at most 300 KB in API Gateway). */
    static final int MAX_FRAME = 64 << 20;

    public static void main(String[] args) throws Exception {
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        // Only frames may reach fd 1: anything else printed by a library goes to stderr.
        System.setOut(System.err);
        // Velocity loads the uberspector by class name through the context class loader; the
        // source launcher compiled this file into its own loader.
        Thread.currentThread().setContextClassLoader(Render.class.getClassLoader());

        VelocityEngine engine = newEngine();
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("ready", "velocity-1.7");
        writeFrame(out, ready);

        while (true) {
            byte[] frame = readFrame(in);
            if (frame == null) {
                return;
            }
            Map<String, Object> answer;
            try {
                answer = render(engine, asMap(Wire.decode(frame), "request"));
            } catch (Throwable t) {
                // Anything unexpected (a malformed frame, StackOverflowError from a runaway macro)
                // is reported for this request; the engine stays up for the next one.
                answer = error("internal", t.toString(), 0, 0);
            }
            writeFrame(out, answer);
        }
    }

    static VelocityEngine newEngine() throws Exception {
        VelocityEngine ve = new VelocityEngine();
        ve.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        // SecureUberspector keeps templates away from Class, ClassLoader, System, Runtime and
        // reflection; ours adds the #foreach limit.
        ve.setProperty("runtime.introspector.uberspect", ApiGatewayUberspector.class.getName());
        // #parse and #include find nothing: API Gateway templates are self-contained.
        ve.setProperty("resource.loader", "string");
        ve.setProperty("string.resource.loader.class", "org.apache.velocity.runtime.resource.loader.StringResourceLoader");
        ve.setProperty("string.resource.loader.repository.name", "ddnsgen-empty-" + System.nanoTime());
        // Velocity 1.7 defaults kept on purpose (and reported by the Go package's docs):
        // directive.set.null.allowed=false, runtime.references.strict=false.
        ve.init();
        return ve;
    }

    static Map<String, Object> render(VelocityEngine ve, Map<String, Object> req) {
        String template = asString(req.get("template"));
        String body = asString(req.get("body"));
        Map<String, Object> path = asMap(req.get("path"), "path");
        Map<String, Object> query = asMap(req.get("querystring"), "querystring");
        Map<String, Object> header = asMap(req.get("header"), "header");
        Map<String, Object> context = asMap(req.get("context"), "context");
        Map<String, Object> stageVariables = asMap(req.get("stageVariables"), "stageVariables");
        Map<String, Object> seed = asMap(req.get("requestOverride"), "requestOverride");

        Map<String, Object> requestOverride = new LinkedHashMap<>();
        requestOverride.put("header", new LinkedHashMap<>(asMap(seed.get("header"), "requestOverride.header")));
        requestOverride.put("path", new LinkedHashMap<>(asMap(seed.get("path"), "requestOverride.path")));
        requestOverride.put("querystring", new LinkedHashMap<>(asMap(seed.get("querystring"), "requestOverride.querystring")));
        Map<String, Object> seedResponse = asMap(req.get("responseOverride"), "responseOverride");
        Map<String, Object> responseOverride = new LinkedHashMap<>();
        responseOverride.put("header", new LinkedHashMap<>(asMap(seedResponse.get("header"), "responseOverride.header")));
        if (seedResponse.get("status") != null) {
            responseOverride.put("status", seedResponse.get("status"));
        }
        context.put("requestOverride", requestOverride);
        context.put("responseOverride", responseOverride);

        VelocityContext vc = new VelocityContext();
        vc.put("input", new Input(body, path, query, header));
        vc.put("util", new Util());
        vc.put("context", context);
        vc.put("stageVariables", stageVariables);
        NullAsEmpty nulls = new NullAsEmpty();
        EventCartridge events = new EventCartridge();
        events.addEventHandler(nulls);
        events.attachToContext(vc);

        StringWriter output = new StringWriter();
        try {
            ve.evaluate(vc, output, "template", template);
        } catch (ParseErrorException e) {
            return error("parse", firstLine(e.getMessage()), e.getLineNumber(), e.getColumnNumber());
        } catch (MethodInvocationException e) {
            Throwable cause = e.getWrappedThrowable();
            if (cause instanceof ForeachLimitException) {
                ForeachLimitException f = (ForeachLimitException) cause;
                return error("foreach-limit", f.getMessage(), f.line, f.column);
            }
            String what = cause == null ? e.getMessage() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            return error("method", "$" + e.getReferenceName() + "." + e.getMethodName() + " failed: " + what,
                    e.getLineNumber(), e.getColumnNumber());
        } catch (ForeachLimitException e) {
            return error("foreach-limit", e.getMessage(), e.line, e.column);
        } catch (RuntimeException e) {
            return error("runtime", e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()), 0, 0);
        }

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("output", output.toString());
        answer.put("nullReferences", new ArrayList<Object>(nulls.seen));
        try {
            Map<String, Object> ro = overrideMap(context.get("requestOverride"), "$context.requestOverride");
            Map<String, Object> outRO = new LinkedHashMap<>();
            outRO.put("header", stringMap(ro.get("header"), "$context.requestOverride.header"));
            outRO.put("path", stringMap(ro.get("path"), "$context.requestOverride.path"));
            outRO.put("querystring", stringMap(ro.get("querystring"), "$context.requestOverride.querystring"));
            answer.put("requestOverride", outRO);

            Map<String, Object> so = overrideMap(context.get("responseOverride"), "$context.responseOverride");
            Map<String, Object> outSO = new LinkedHashMap<>();
            outSO.put("status", status(so.get("status")));
            outSO.put("header", stringMap(so.get("header"), "$context.responseOverride.header"));
            answer.put("responseOverride", outSO);
        } catch (IllegalArgumentException e) {
            return error("override", e.getMessage(), 0, 0);
        }
        return answer;
    }

    static Map<String, Object> overrideMap(Object o, String name) {
        if (o == null) {
            return new LinkedHashMap<>();
        }
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(name + " was replaced by a " + o.getClass().getSimpleName() + ", not a map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o;
        return m;
    }

    /** Reads an override map; non-string values become their toString() text. */
    static Map<String, Object> stringMap(Object o, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : overrideMap(o, name).entrySet()) {
            if (e.getValue() != null) {
                out.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
            }
        }
        return out;
    }

    static Object status(Object o) {
        if (o == null) {
            return 0L;
        }
        if (o instanceof Integer || o instanceof Long || o instanceof Short) {
            return ((Number) o).longValue();
        }
        if (o instanceof String && ((String) o).trim().matches("[0-9]{1,9}")) {
            return Long.parseLong(((String) o).trim());
        }
        throw new IllegalArgumentException("$context.responseOverride.status must be an integer, got "
                + o.getClass().getSimpleName() + " \"" + o + "\"");
    }

    static Map<String, Object> error(String kind, String message, int line, int column) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("kind", kind);
        detail.put("message", message == null ? "" : message);
        detail.put("line", (long) line);
        detail.put("column", (long) column);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("error", detail);
        return answer;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String asString(Object o) {
        return o == null ? "" : o.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o, String name) {
        if (o == null) {
            return new LinkedHashMap<>();
        }
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(name + " is not a map");
        }
        return (Map<String, Object>) o;
    }

    // ---- framing ---------------------------------------------------------------------------

    static byte[] readFrame(DataInputStream in) throws IOException {
        int n;
        try {
            n = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (n < 0 || n > MAX_FRAME) {
            throw new IOException("frame of " + n + " bytes refused");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void writeFrame(DataOutputStream out, Object value) throws IOException {
        byte[] b = Wire.encode(value);
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    /** The tagged binary encoding described at the top of this file. */
    static final class Wire {
        static byte[] encode(Object v) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buf);
            write(out, v);
            out.flush();
            return buf.toByteArray();
        }

        static void write(DataOutputStream out, Object v) throws IOException {
            if (v == null) {
                out.writeByte('N');
            } else if (v instanceof String) {
                out.writeByte('S');
                writeBytes(out, ((String) v).getBytes(StandardCharsets.UTF_8));
            } else if (v instanceof Boolean) {
                out.writeByte(((Boolean) v) ? 'T' : 'F');
            } else if (v instanceof Integer || v instanceof Long) {
                out.writeByte('I');
                out.writeLong(((Number) v).longValue());
            } else if (v instanceof Double) {
                out.writeByte('D');
                out.writeDouble((Double) v);
            } else if (v instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) v;
                out.writeByte('M');
                out.writeInt(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    writeBytes(out, String.valueOf(e.getKey()).getBytes(StandardCharsets.UTF_8));
                    write(out, e.getValue());
                }
            } else if (v instanceof List) {
                List<?> l = (List<?>) v;
                out.writeByte('L');
                out.writeInt(l.size());
                for (Object o : l) {
                    write(out, o);
                }
            } else {
                out.writeByte('S');
                writeBytes(out, v.toString().getBytes(StandardCharsets.UTF_8));
            }
        }

        static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
        }

        static Object decode(byte[] frame) throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(frame));
            Object v = read(in);
            if (in.available() != 0) {
                throw new IOException("trailing bytes in frame");
            }
            return v;
        }

        static Object read(DataInputStream in) throws IOException {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 'N':
                    return null;
                case 'S':
                    return readString(in);
                case 'T':
                    return Boolean.TRUE;
                case 'F':
                    return Boolean.FALSE;
                case 'I': {
                    long l = in.readLong();
                    if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                        return (int) l;
                    }
                    return l;
                }
                case 'D':
                    return in.readDouble();
                case 'M': {
                    int n = in.readInt();
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String k = readString(in);
                        m.put(k, read(in));
                    }
                    return m;
                }
                case 'L': {
                    int n = in.readInt();
                    List<Object> l = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        l.add(read(in));
                    }
                    return l;
                }
                default:
                    throw new IOException("unknown tag " + tag);
            }
        }

        static String readString(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > MAX_FRAME) {
                throw new IOException("string of " + n + " bytes refused");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    // ---- Velocity configuration ------------------------------------------------------------

    /**
     * Renders a null or missing reference as nothing. Velocity 1.7 would print the reference's
     * own text ("$foo"); API Gateway prints nothing (LocalStack's AWS-validated snapshots:
     * "#set($r = $input.path('$.missing'))$r" and "$input.body.x" both render empty).
     */
    public static final class NullAsEmpty implements ReferenceInsertionEventHandler {
        /** Each non-quiet reference that rendered as nothing, as written, in order of first use. */
        final java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();

        public Object referenceInsert(String reference, Object value) {
            if (value != null) {
                return value;
            }
            if (reference != null && !reference.startsWith("$!")) {
                seen.add(reference);
            }
            return "";
        }
    }

    /** SecureUberspector plus API Gateway's #foreach limit. */
    public static class ApiGatewayUberspector extends SecureUberspector {
        @Override
        @SuppressWarnings("rawtypes")
        public Iterator getIterator(Object obj, Info info) throws Exception {
            Iterator it = super.getIterator(obj, info);
            return it == null ? null : new LimitedIterator(it, info);
        }
    }

    @SuppressWarnings("rawtypes")
    static final class LimitedIterator implements Iterator {
        private final Iterator it;
        private final Info info;
        private int n;

        LimitedIterator(Iterator it, Info info) {
            this.it = it;
            this.info = info;
        }

        public boolean hasNext() {
            return it.hasNext();
        }

        public Object next() {
            if (++n > MAX_FOREACH_ITERATIONS) {
                throw new ForeachLimitException(info);
            }
            return it.next();
        }
    }

    static final class ForeachLimitException extends RuntimeException {
        final int line;
        final int column;

        ForeachLimitException(Info info) {
            super("#foreach stopped: more than " + MAX_FOREACH_ITERATIONS + " iterations (API Gateway's limit)");
            this.line = info == null ? 0 : info.getLine();
            this.column = info == null ? 0 : info.getColumn();
        }
    }

    // ---- $input ------------------------------------------------------------------------------

    /** $input: the body and the method request parameters. */
    public static final class Input {
        private final String body;
        private final Map<String, Object> params;
        private Object parsed;
        private boolean isParsed;

        Input(String body, Map<String, Object> path, Map<String, Object> query, Map<String, Object> header) {
            this.body = body;
            this.params = new LinkedHashMap<>();
            this.params.put("path", path);
            this.params.put("querystring", query);
            this.params.put("header", header);
        }

        /** $input.body: the raw body; an empty body reads as "{}" as in API Gateway. */
        public String getBody() {
            return body.isEmpty() ? "{}" : body;
        }

        /** $input.params(): a map with keys path, querystring, header. */
        public Map<String, Object> params() {
            return params;
        }

        /** $input.params(x): path, then querystring, then header (exact name); "" when absent. */
        @SuppressWarnings("unchecked")
        public String params(Object name) {
            if (name == null) {
                return "";
            }
            String key = name.toString();
            for (Object group : params.values()) {
                Object v = ((Map<String, Object>) group).get(key);
                if (v != null) {
                    return v.toString();
                }
            }
            return "";
        }

        /** $input.path(x): the JSONPath result as Java objects, or null when nothing matches. */
        public Object path(Object expr) {
            return JsonPath.eval(parsedBody(), expr == null ? "$" : expr.toString());
        }

        /** $input.json(x): the JSONPath result as a JSON string ("null" when nothing matches). */
        public String json(Object expr) {
            return Json.write(path(expr));
        }

        private Object parsedBody() {
            if (!isParsed) {
                String b = body.trim().isEmpty() ? "{}" : body;
                try {
                    parsed = Json.parse(b);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("the body is not JSON (" + e.getMessage() + ")");
                }
                isParsed = true;
            }
            return parsed;
        }
    }

    // ---- $util -------------------------------------------------------------------------------

    /** $util: the six functions API Gateway documents, and no others. */
    public static final class Util {
        /** commons-lang 2.6 StringEscapeUtils.escapeJavaScript: escapes ' " \ / and non-ASCII. */
        public String escapeJavaScript(Object s) {
            return s == null ? null : StringEscapeUtils.escapeJavaScript(s.toString());
        }

        /** Parses JSON into maps (LinkedHashMap), lists, strings, numbers, booleans, null. */
        public Object parseJson(Object s) {
            if (s == null) {
                return null;
            }
            return Json.parse(s.toString());
        }

        /** application/x-www-form-urlencoded, UTF-8 (java.net.URLEncoder: space is "+"). */
        public String urlEncode(Object s) throws UnsupportedEncodingException {
            return s == null ? null : URLEncoder.encode(s.toString(), "UTF-8");
        }

        /** Decodes application/x-www-form-urlencoded, UTF-8 ("+" is space); bad % escapes fail. */
        public String urlDecode(Object s) throws UnsupportedEncodingException {
            return s == null ? null : URLDecoder.decode(s.toString(), "UTF-8");
        }

        /** Standard base64 (RFC 4648, with padding) of the UTF-8 bytes. */
        public String base64Encode(Object s) {
            return s == null ? null : Base64.getEncoder().encodeToString(s.toString().getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Decodes standard base64 (padding optional) and reads the bytes as UTF-8 (invalid
         * sequences become U+FFFD). Input outside the alphabet fails the render.
         */
        public String base64Decode(Object s) {
            if (s == null) {
                return null;
            }
            byte[] b;
            try {
                b = Base64.getDecoder().decode(s.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not base64: " + e.getMessage());
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    // ---- JSON --------------------------------------------------------------------------------

    /**
     * A JSON array as API Gateway's $input.path returns it: a List whose text is compact JSON
     * ([{"foo":"bar"}]), while a JSON object is a plain map whose text is {foo=bar}.
     */
    public static final class JsonList extends ArrayList<Object> {
        @Override
        public String toString() {
            return Json.write(this);
        }
    }

    static final class Json {
        static Object parse(String s) {
            Parser p = new Parser(s);
            p.ws();
            Object v = p.value();
            p.ws();
            if (p.i != s.length()) {
                throw p.fail("unexpected text after the JSON value");
            }
            return v;
        }

        static String write(Object v) {
            StringBuilder sb = new StringBuilder();
            write(sb, v);
            return sb.toString();
        }

        static void write(StringBuilder sb, Object v) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String) {
                quote(sb, (String) v);
            } else if (v instanceof Map) {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    quote(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            } else if (v instanceof List) {
                sb.append('[');
                boolean first = true;
                for (Object o : (List<?>) v) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    write(sb, o);
                }
                sb.append(']');
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v.toString());
            } else {
                quote(sb, v.toString());
            }
        }

        static void quote(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\b': sb.append("\\b"); break;
                    case '\f': sb.append("\\f"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x2000 && c <= 0x20ff)) {
                            sb.append(String.format("\\u%04X", (int) c));
                        } else {
                            sb.append(c);
                        }
                }
            }
            sb.append('"');
        }

        static final class Parser {
            final String s;
            int i;

            Parser(String s) {
                this.s = s;
            }

            IllegalArgumentException fail(String what) {
                return new IllegalArgumentException(what + " at offset " + i);
            }

            void ws() {
                while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
                    i++;
                }
            }

            Object value() {
                if (i >= s.length()) {
                    throw fail("unexpected end of JSON");
                }
                char c = s.charAt(i);
                switch (c) {
                    case '{': return object();
                    case '[': return array();
                    case '"': return string();
                    case 't': return literal("true", Boolean.TRUE);
                    case 'f': return literal("false", Boolean.FALSE);
                    case 'n': return literal("null", null);
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) {
                            return number();
                        }
                        throw fail("unexpected character '" + c + "'");
                }
            }

            Object literal(String word, Object v) {
                if (!s.startsWith(word, i)) {
                    throw fail("bad literal");
                }
                i += word.length();
                return v;
            }

            Map<String, Object> object() {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (i < s.length() && s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    if (i >= s.length() || s.charAt(i) != '"') {
                        throw fail("expected a string key");
                    }
                    String k = string();
                    ws();
                    if (i >= s.length() || s.charAt(i) != ':') {
                        throw fail("expected ':'");
                    }
                    i++;
                    ws();
                    m.put(k, value());
                    ws();
                    if (i < s.length() && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    if (i < s.length() && s.charAt(i) == '}') {
                        i++;
                        return m;
                    }
                    throw fail("expected ',' or '}'");
                }
            }

            List<Object> array() {
                JsonList l = new JsonList();
                i++;
                ws();
                if (i < s.length() && s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    ws();
                    l.add(value());
                    ws();
                    if (i < s.length() && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    if (i < s.length() && s.charAt(i) == ']') {
                        i++;
                        return l;
                    }
                    throw fail("expected ',' or ']'");
                }
            }

            String string() {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw fail("unterminated string");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        return sb.toString();
                    }
                    if (c < 0x20) {
                        throw fail("control character in string");
                    }
                    if (c != '\\') {
                        sb.append(c);
                        continue;
                    }
                    if (i >= s.length()) {
                        throw fail("unterminated escape");
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case '"': sb.append('"'); break;
                        case '\\': sb.append('\\'); break;
                        case '/': sb.append('/'); break;
                        case 'b': sb.append('\b'); break;
                        case 'f': sb.append('\f'); break;
                        case 'n': sb.append('\n'); break;
                        case 'r': sb.append('\r'); break;
                        case 't': sb.append('\t'); break;
                        case 'u':
                            if (i + 4 > s.length()) {
                                throw fail("short \\u escape");
                            }
                            try {
                                sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException x) {
                                throw fail("bad \\u escape");
                            }
                            i += 4;
                            break;
                        default:
                            throw fail("bad escape '\\" + e + "'");
                    }
                }
            }

            Object number() {
                int start = i;
                if (s.charAt(i) == '-') {
                    i++;
                }
                int digits = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == digits) {
                    throw fail("bad number");
                }
                boolean fraction = false;
                if (i < s.length() && s.charAt(i) == '.') {
                    fraction = true;
                    i++;
                    int f = i;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    if (i == f) {
                        throw fail("bad number");
                    }
                }
                if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    fraction = true;
                    i++;
                    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                        i++;
                    }
                    int e = i;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    if (i == e) {
                        throw fail("bad number");
                    }
                }
                String t = s.substring(start, i);
                if (fraction) {
                    return Double.parseDouble(t);
                }
                BigInteger b = new BigInteger(t);
                if (b.bitLength() < 32) {
                    return b.intValue();
                }
                if (b.bitLength() < 64) {
                    return b.longValue();
                }
                return b;
            }
        }
    }

    /**
     * The JSONPath subset $input.path and $input.json accept: "$", then any sequence of
     * ".name", "['name']" / ["name"] and "[index]" (index >= 0). A path without the leading
     * "$" is read as "$." + path (Jayway JsonPath does the same). Anything else (wildcards,
     * "..", filters, slices, negative indexes) fails the render with a clear message.
     */
    static final class JsonPath {
        static Object eval(Object root, String expr) {
            String p = expr.trim();
            if (!p.startsWith("$")) {
                p = "$." + p;
            }
            Object cur = root;
            int i = 1;
            while (i < p.length()) {
                char c = p.charAt(i);
                String key = null;
                int index = -1;
                if (c == '.') {
                    if (i + 1 < p.length() && p.charAt(i + 1) == '.') {
                        throw unsupported(expr, "deep scan '..'");
                    }
                    int j = i + 1;
                    while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') {
                        j++;
                    }
                    key = p.substring(i + 1, j);
                    if (key.isEmpty()) {
                        throw unsupported(expr, "empty name");
                    }
                    if (key.equals("*")) {
                        throw unsupported(expr, "wildcard");
                    }
                    i = j;
                } else if (c == '[') {
                    int close = p.indexOf(']', i);
                    if (close < 0) {
                        throw unsupported(expr, "unclosed '['");
                    }
                    String inner = p.substring(i + 1, close).trim();
                    if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
                            && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
                        key = inner.substring(1, inner.length() - 1);
                        if (key.indexOf('\'') >= 0 || key.indexOf('"') >= 0) {
                            throw unsupported(expr, "several names in one bracket");
                        }
                    } else if (inner.matches("[0-9]{1,9}")) {
                        index = Integer.parseInt(inner);
                    } else {
                        throw unsupported(expr, "bracket expression [" + inner + "]");
                    }
                    i = close + 1;
                } else {
                    throw unsupported(expr, "unexpected '" + c + "'");
                }
                if (key != null) {
                    if (!(cur instanceof Map)) {
                        return null;
                    }
                    cur = ((Map<?, ?>) cur).get(key);
                } else {
                    if (!(cur instanceof List) || index >= ((List<?>) cur).size()) {
                        return null;
                    }
                    cur = ((List<?>) cur).get(index);
                }
            }
            return cur;
        }

        static IllegalArgumentException unsupported(String expr, String what) {
            return new IllegalArgumentException("JSONPath \"" + expr + "\": " + what
                    + " is not supported here (supported: $, $.a.b, $['a'], $.a[0])");
        }
    }
}
