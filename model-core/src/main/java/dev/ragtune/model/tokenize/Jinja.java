package dev.ragtune.model.tokenize;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Jinja2 that Hugging Face chat templates use, with Jinja2's semantics as transformers'
 * {@code apply_chat_template} configures it: {@code trim_blocks}, {@code lstrip_blocks}, {@code -}/{@code +} whitespace
 * control, no trailing newline, no autoescape, the default (lenient) {@code Undefined}, loop controls, and the
 * {@code {% generation %}} block of transformers' {@code AssistantTracker}. Values follow Python: {@link String},
 * {@link Long}, {@link Double}, {@link Boolean}, {@code null} (None), {@link List}, {@link Map}. See decision 011.
 *
 * <p>A parsed {@link Template} is immutable and renders from any thread.
 */
final class Jinja {
    private Jinja() {
    }

    /** A template error (syntax, undefined, type): Jinja2's TemplateError. */
    static final class TemplateError extends RuntimeException {
        TemplateError(String message) {
            super(message);
        }
    }

    /** {@code raise_exception(...)} from the template. */
    static final class RaisedException extends RuntimeException {
        RaisedException(String message) {
            super(message);
        }
    }

    /** A callable value: a global function, a macro, a bound method. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** Jinja2's default {@code Undefined}: prints empty, false, iterates empty; most other uses are errors. */
    static final class Undefined {
        final String name;

        Undefined(String name) {
            this.name = name;
        }

        TemplateError error() {
            return new TemplateError(name + " is undefined");
        }

        @Override
        public String toString() {
            return "";
        }
    }

    /** {@code namespace(...)}: the one mutable object a template may assign attributes of. */
    static final class Namespace {
        final Map<String, Object> attrs = new LinkedHashMap<>();
    }

    /** The output of a render and the character spans of its {@code {% generation %}} blocks. */
    record Rendered(String text, List<int[]> generationSpans) {
    }

    // ------------------------------------------------------------------------------------------------ lexer

    private enum T { TEXT, VAR, BLOCK, NAME, STRING, INT, FLOAT, OP, END }

    private record Tok(T type, String text, int pos) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("(\\d+(?:_\\d+)*)(\\.\\d+(?:_\\d+)*)?([eE][+-]?\\d+)?");
    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">",
        "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"};
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");

    /** The source as tokens: TEXT, then for every tag VAR/BLOCK, its expression tokens, END. */
    private static List<Tok> lex(String source) {
        String src = source.replace("\r\n", "\n").replace('\r', '\n');
        if (src.endsWith("\n")) {
            src = src.substring(0, src.length() - 1); // keep_trailing_newline=False
        }
        List<Tok> out = new ArrayList<>();
        int pos = 0;
        boolean stripNext = false; // the previous tag ended with '-'
        int n = src.length();
        while (pos < n) {
            int open = findOpen(src, pos);
            int dataEnd = open < 0 ? n : open;
            String text = src.substring(pos, dataEnd);
            if (stripNext) {
                text = lstripWs(text);
            }
            stripNext = false;
            if (open < 0) {
                addText(out, text, pos);
                break;
            }
            char kind = src.charAt(open + 1);
            char sign = open + 2 < n ? src.charAt(open + 2) : 0;
            if (sign == '-') {
                text = rstripWs(text);
            } else if (sign != '+' && kind != '{') {
                // lstrip_blocks: whitespace between the line's start and a block or comment tag
                int lpos = text.lastIndexOf('\n') + 1;
                boolean lineStarting = pos == 0 || src.charAt(pos - 1) == '\n';
                if ((lpos > 0 || lineStarting) && isBlank(text, lpos)) {
                    text = text.substring(0, lpos);
                }
            }
            addText(out, text, pos);
            int p = open + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            if (kind == '#') {
                int end = src.indexOf("#}", p);
                if (end < 0) {
                    throw new TemplateError("missing end of comment tag");
                }
                boolean minus = end > p && src.charAt(end - 1) == '-';
                boolean plus = end > p && src.charAt(end - 1) == '+';
                pos = end + 2;
                if (minus) {
                    stripNext = true;
                } else if (!plus && pos < n && src.charAt(pos) == '\n') {
                    pos++; // trim_blocks
                }
                continue;
            }
            out.add(new Tok(kind == '{' ? T.VAR : T.BLOCK, "", open));
            int[] state = {p, 0};
            String closer = kind == '{' ? "}}" : "%}";
            int firstTok = out.size();
            while (true) {
                p = skipWs(src, p);
                if (p >= n) {
                    throw new TemplateError("unexpected end of template, expected '" + closer + "'");
                }
                if (state[1] == 0) {
                    if (src.startsWith("-" + closer, p)) {
                        p += 3;
                        stripNext = true;
                        break;
                    }
                    if (kind == '%' && src.startsWith("+%}", p)) {
                        p += 3;
                        break;
                    }
                    if (src.startsWith(closer, p)) {
                        p += 2;
                        if (kind == '%' && p < n && src.charAt(p) == '\n') {
                            p++; // trim_blocks
                        }
                        break;
                    }
                }
                state[0] = p;
                Tok t = lexToken(src, state);
                out.add(t);
                p = state[0];
            }
            out.add(new Tok(T.END, closer, p));
            // {% raw %}: the text up to {% endraw %} verbatim
            if (kind == '%' && out.size() - firstTok == 1 && out.get(firstTok).type == T.NAME
                    && out.get(firstTok).text.equals("raw")) {
                out.subList(firstTok - 1, out.size()).clear();
                Matcher m = RAW_END.matcher(src);
                if (!m.find(p)) {
                    throw new TemplateError("missing endraw");
                }
                String raw = src.substring(p, m.start());
                if (stripNext) {
                    raw = lstripWs(raw);
                }
                if (m.group(1).equals("-")) {
                    raw = rstripWs(raw);
                }
                addText(out, raw, p);
                pos = m.end();
                stripNext = m.group(2).equals("-");
                if (!stripNext && !m.group(2).equals("+") && pos < n && src.charAt(pos) == '\n') {
                    pos++;
                }
                continue;
            }
            pos = p;
        }
        return out;
    }

    private static int findOpen(String src, int from) {
        int i = from;
        while (true) {
            i = src.indexOf('{', i);
            if (i < 0 || i + 1 >= src.length()) {
                return -1;
            }
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i++;
        }
    }

    private static void addText(List<Tok> out, String text, int pos) {
        if (!text.isEmpty()) {
            out.add(new Tok(T.TEXT, text, pos));
        }
    }

    private static int skipWs(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    private static Tok lexToken(String src, int[] state) {
        int p = state[0];
        char c = src.charAt(p);
        if (c == '\'' || c == '"') {
            StringBuilder sb = new StringBuilder();
            int i = p + 1;
            while (true) {
                if (i >= src.length()) {
                    throw new TemplateError("unterminated string at " + p);
                }
                char d = src.charAt(i);
                if (d == c) {
                    break;
                }
                if (d == '\\' && i + 1 < src.length()) {
                    char e = src.charAt(++i);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'v' -> sb.append('\u000b');
                        case 'a' -> sb.append('\u0007');
                        case '0' -> sb.append('\0');
                        case '\\', '\'', '"' -> sb.append(e);
                        case '\n' -> { }
                        case 'x' -> {
                            sb.append((char) Integer.parseInt(src.substring(i + 1, i + 3), 16));
                            i += 2;
                        }
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(src.substring(i + 1, i + 5), 16));
                            i += 4;
                        }
                        case 'U' -> {
                            sb.appendCodePoint(Integer.parseInt(src.substring(i + 1, i + 9), 16));
                            i += 8;
                        }
                        default -> sb.append('\\').append(e);
                    }
                    i++;
                    continue;
                }
                sb.append(d);
                i++;
            }
            state[0] = i + 1;
            return new Tok(T.STRING, sb.toString(), p);
        }
        Matcher m = NAME.matcher(src).region(p, src.length());
        if (m.lookingAt()) {
            state[0] = m.end();
            return new Tok(T.NAME, m.group(), p);
        }
        m = NUMBER.matcher(src).region(p, src.length());
        if (Character.isDigit(c) && m.lookingAt()) {
            state[0] = m.end();
            String text = m.group().replace("_", "");
            return new Tok(m.group(2) != null || m.group(3) != null ? T.FLOAT : T.INT, text, p);
        }
        for (String op : OPERATORS) {
            if (src.startsWith(op, p)) {
                state[0] = p + op.length();
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    state[1]++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    state[1]--;
                }
                return new Tok(T.OP, op, p);
            }
        }
        throw new TemplateError("unexpected char '" + c + "' at " + p);
    }

    static boolean isPyWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static boolean isBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isPyWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String lstripWs(String s) {
        int i = 0;
        while (i < s.length() && isPyWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    static String rstripWs(String s) {
        int i = s.length();
        while (i > 0 && isPyWhitespace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    // ------------------------------------------------------------------------------------------------ AST

    /** Render-time state: output, variables (a chain of frames), generation spans. */
    private static final class Ctx {
        final StringBuilder out = new StringBuilder();
        final List<int[]> spans = new ArrayList<>();
        final Map<String, Object> globals;
        Frame frame;

        Ctx(Map<String, Object> globals) {
            this.globals = globals;
            this.frame = new Frame(null);
        }

        Object lookup(String name) {
            for (Frame f = frame; f != null; f = f.parent) {
                if (f.vars.containsKey(name)) {
                    return f.vars.get(name);
                }
            }
            if (globals.containsKey(name)) {
                return globals.get(name);
            }
            return new Undefined("'" + name + "'");
        }
    }

    private static final class Frame {
        final Frame parent;
        final Map<String, Object> vars = new HashMap<>();

        Frame(Frame parent) {
            this.parent = parent;
        }
    }

    private static final class BreakSignal extends RuntimeException {
        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private interface Node {
        void render(Ctx ctx);
    }

    private interface Expr {
        Object eval(Ctx ctx);
    }

    private record TextNode(String text) implements Node {
        public void render(Ctx ctx) {
            ctx.out.append(text);
        }
    }

    private record Output(Expr expr) implements Node {
        public void render(Ctx ctx) {
            ctx.out.append(str(expr.eval(ctx)));
        }
    }

    private record Body(List<Node> nodes) implements Node {
        public void render(Ctx ctx) {
            for (Node n : nodes) {
                n.render(ctx);
            }
        }
    }

    private record If(List<Expr> conds, List<Body> bodies, Body otherwise) implements Node {
        public void render(Ctx ctx) {
            for (int i = 0; i < conds.size(); i++) {
                if (truthy(conds.get(i).eval(ctx))) {
                    bodies.get(i).render(ctx);
                    return;
                }
            }
            if (otherwise != null) {
                otherwise.render(ctx);
            }
        }
    }

    private record For(List<String> targets, Expr iter, Expr filter, Body body, Body otherwise) implements Node {
        public void render(Ctx ctx) {
            List<Object> items = new ArrayList<>();
            Object it = iter.eval(ctx);
            Frame outer = ctx.frame;
            for (Object item : iterate(it)) {
                if (filter != null) {
                    ctx.frame = new Frame(outer);
                    bind(ctx.frame, item);
                    boolean keep = truthy(filter.eval(ctx));
                    ctx.frame = outer;
                    if (!keep) {
                        continue;
                    }
                }
                items.add(item);
            }
            if (items.isEmpty()) {
                if (otherwise != null) {
                    otherwise.render(ctx);
                }
                return;
            }
            int length = items.size();
            try {
                for (int i = 0; i < length; i++) {
                    Frame f = new Frame(outer);
                    bind(f, items.get(i));
                    Map<String, Object> loop = new HashMap<>();
                    loop.put("index", (long) i + 1);
                    loop.put("index0", (long) i);
                    loop.put("revindex", (long) (length - i));
                    loop.put("revindex0", (long) (length - i - 1));
                    loop.put("first", i == 0);
                    loop.put("last", i == length - 1);
                    loop.put("length", (long) length);
                    loop.put("previtem", i > 0 ? items.get(i - 1) : new Undefined("'previtem'"));
                    loop.put("nextitem", i < length - 1 ? items.get(i + 1) : new Undefined("'nextitem'"));
                    int index = i;
                    loop.put("cycle", (Callable) (args, kw) -> args.isEmpty() ? null : args.get(index % args.size()));
                    f.vars.put("loop", new LoopObject(loop));
                    ctx.frame = f;
                    try {
                        body.render(ctx);
                    } catch (ContinueSignal c) {
                        // next iteration
                    }
                }
            } catch (BreakSignal b) {
                // done
            } finally {
                ctx.frame = outer;
            }
        }

        private void bind(Frame f, Object item) {
            if (targets.size() == 1) {
                f.vars.put(targets.get(0), item);
                return;
            }
            List<Object> parts = iterate(item);
            if (parts.size() != targets.size()) {
                throw new TemplateError("cannot unpack " + parts.size() + " values into " + targets.size());
            }
            for (int i = 0; i < targets.size(); i++) {
                f.vars.put(targets.get(i), parts.get(i));
            }
        }
    }

    /** The {@code loop} variable (attributes only). */
    private record LoopObject(Map<String, Object> attrs) {
    }

    private record Set(String name, String attr, Expr value, Body block) implements Node {
        public void render(Ctx ctx) {
            Object v;
            if (block != null) {
                int start = ctx.out.length();
                block.render(ctx);
                v = ctx.out.substring(start);
                ctx.out.setLength(start);
            } else {
                v = value.eval(ctx);
            }
            if (attr == null) {
                ctx.frame.vars.put(name, v);
                return;
            }
            Object target = ctx.lookup(name);
            if (!(target instanceof Namespace ns)) {
                throw new TemplateError("cannot assign attribute on non-namespace object");
            }
            ns.attrs.put(attr, v);
        }
    }

    private record Generation(Body body) implements Node {
        public void render(Ctx ctx) {
            int start = ctx.out.length();
            body.render(ctx);
            ctx.spans.add(new int[] {start, ctx.out.length()});
        }
    }

    private record Signal(boolean isBreak) implements Node {
        public void render(Ctx ctx) {
            throw isBreak ? new BreakSignal() : new ContinueSignal();
        }
    }

    private record Macro(String name, List<String> params, List<Expr> defaults, Body body) implements Node {
        public void render(Ctx ctx) {
            Frame defining = ctx.frame;
            Callable fn = (args, kw) -> {
                Frame saved = ctx.frame;
                Frame f = new Frame(defining);
                for (int i = 0; i < params.size(); i++) {
                    String p = params.get(i);
                    Object v;
                    if (i < args.size()) {
                        v = args.get(i);
                    } else if (kw.containsKey(p)) {
                        v = kw.get(p);
                    } else if (defaults.get(i) != null) {
                        ctx.frame = f;
                        v = defaults.get(i).eval(ctx);
                    } else {
                        v = new Undefined("'" + p + "'");
                    }
                    f.vars.put(p, v);
                }
                f.vars.put("varargs", args.size() > params.size() ? new ArrayList<>(args.subList(params.size(), args.size())) : List.of());
                StringBuilder savedOut = new StringBuilder(ctx.out);
                ctx.out.setLength(0);
                ctx.frame = f;
                try {
                    body.render(ctx);
                    return ctx.out.toString();
                } finally {
                    ctx.out.setLength(0);
                    ctx.out.append(savedOut);
                    ctx.frame = saved;
                }
            };
            ctx.frame.vars.put(name, fn);
        }
    }

    // ------------------------------------------------------------------------------------------------ parser

    /** A parsed template. */
    static final class Template {
        private final Body body;

        Template(String source) {
            this.body = new Parser(lex(source)).parseTemplate();
        }

        Rendered render(Map<String, Object> globals, Map<String, Object> vars) {
            Ctx ctx = new Ctx(globals);
            ctx.frame.vars.putAll(vars);
            try {
                body.render(ctx);
            } catch (BreakSignal | ContinueSignal s) {
                throw new TemplateError("break or continue outside a loop");
            } catch (StackOverflowError e) {
                throw new TemplateError("template recursion too deep");
            }
            return new Rendered(ctx.out.toString(), List.copyOf(ctx.spans));
        }
    }

    private static final class Parser {
        private final List<Tok> toks;
        private int i;

        Parser(List<Tok> toks) {
            this.toks = toks;
        }

        Body parseTemplate() {
            Body b = parseBody(java.util.Set.of());
            if (i < toks.size()) {
                throw new TemplateError("unexpected '" + peekBlockName() + "' tag");
            }
            return b;
        }

        private String peekBlockName() {
            return i + 1 < toks.size() ? toks.get(i + 1).text : "";
        }

        /** Nodes until a block tag named in {@code ends} (left unconsumed) or the end. */
        private Body parseBody(java.util.Set<String> ends) {
            List<Node> nodes = new ArrayList<>();
            while (i < toks.size()) {
                Tok t = toks.get(i);
                if (t.type == T.TEXT) {
                    nodes.add(new TextNode(t.text));
                    i++;
                } else if (t.type == T.VAR) {
                    i++;
                    Expr e = parseExpr();
                    expectEnd();
                    nodes.add(new Output(e));
                } else if (t.type == T.BLOCK) {
                    String name = toks.get(i + 1).text;
                    if (ends.contains(name)) {
                        return new Body(nodes);
                    }
                    i += 2;
                    nodes.add(parseStatement(name, toks.get(i - 1)));
                } else {
                    throw new TemplateError("unexpected token '" + t.text + "'");
                }
            }
            if (!ends.isEmpty()) {
                throw new TemplateError("unexpected end of template, expected one of " + ends);
            }
            return new Body(nodes);
        }

        private void endTag(String name) {
            Tok b = toks.get(i);
            Tok n = toks.get(i + 1);
            if (b.type != T.BLOCK || !n.text.equals(name)) {
                throw new TemplateError("expected '" + name + "'");
            }
            i += 2;
            expectEnd();
        }

        private Node parseStatement(String name, Tok at) {
            switch (name) {
                case "if" -> {
                    List<Expr> conds = new ArrayList<>();
                    List<Body> bodies = new ArrayList<>();
                    conds.add(parseExpr());
                    expectEnd();
                    bodies.add(parseBody(java.util.Set.of("elif", "else", "endif")));
                    Body otherwise = null;
                    while (true) {
                        String tag = toks.get(i + 1).text;
                        i += 2;
                        if (tag.equals("elif")) {
                            conds.add(parseExpr());
                            expectEnd();
                            bodies.add(parseBody(java.util.Set.of("elif", "else", "endif")));
                        } else if (tag.equals("else")) {
                            expectEnd();
                            otherwise = parseBody(java.util.Set.of("endif"));
                        } else {
                            expectEnd();
                            break;
                        }
                    }
                    return new If(conds, bodies, otherwise);
                }
                case "for" -> {
                    List<String> targets = new ArrayList<>();
                    boolean paren = acceptOp("(");
                    do {
                        targets.add(expectName());
                    } while (acceptOp(","));
                    if (paren) {
                        expectOp(")");
                    }
                    expectKeyword("in");
                    Expr iter = parseOr(); // no conditional expression: 'if' filters
                    Expr filter = null;
                    if (acceptKeyword("if")) {
                        filter = parseOr();
                    }
                    acceptKeyword("recursive");
                    expectEnd();
                    Body body = parseBody(java.util.Set.of("else", "endfor"));
                    Body otherwise = null;
                    if (toks.get(i + 1).text.equals("else")) {
                        i += 2;
                        expectEnd();
                        otherwise = parseBody(java.util.Set.of("endfor"));
                    }
                    endTag("endfor");
                    return new For(targets, iter, filter, body, otherwise);
                }
                case "set" -> {
                    String target = expectName();
                    String attr = null;
                    if (acceptOp(".")) {
                        attr = expectName();
                    }
                    if (acceptOp("=")) {
                        Expr value = parseTupleOrExpr();
                        expectEnd();
                        return new Set(target, attr, value, null);
                    }
                    expectEnd();
                    Body block = parseBody(java.util.Set.of("endset"));
                    endTag("endset");
                    return new Set(target, attr, null, block);
                }
                case "generation" -> {
                    expectEnd();
                    Body body = parseBody(java.util.Set.of("endgeneration"));
                    endTag("endgeneration");
                    return new Generation(body);
                }
                case "break", "continue" -> {
                    expectEnd();
                    return new Signal(name.equals("break"));
                }
                case "macro" -> {
                    String macroName = expectName();
                    expectOp("(");
                    List<String> params = new ArrayList<>();
                    List<Expr> defaults = new ArrayList<>();
                    while (!acceptOp(")")) {
                        params.add(expectName());
                        defaults.add(acceptOp("=") ? parseExpr() : null);
                        if (!acceptOp(",")) {
                            expectOp(")");
                            break;
                        }
                    }
                    expectEnd();
                    Body body = parseBody(java.util.Set.of("endmacro"));
                    endTag("endmacro");
                    return new Macro(macroName, params, defaults, body);
                }
                case "filter" -> {
                    String filterName = expectName();
                    List<Expr> args = new ArrayList<>();
                    Map<String, Expr> kwargs = new LinkedHashMap<>();
                    if (acceptOp("(")) {
                        parseArgs(args, kwargs);
                    }
                    expectEnd();
                    Body body = parseBody(java.util.Set.of("endfilter"));
                    endTag("endfilter");
                    return ctx -> {
                        int start = ctx.out.length();
                        body.render(ctx);
                        String text = ctx.out.substring(start);
                        ctx.out.setLength(start);
                        List<Object> a = new ArrayList<>();
                        for (Expr e : args) {
                            a.add(e.eval(ctx));
                        }
                        Map<String, Object> kw = new LinkedHashMap<>();
                        kwargs.forEach((k, v) -> kw.put(k, v.eval(ctx)));
                        ctx.out.append(str(Builtins.filter(filterName, text, a, kw, ctx)));
                    };
                }
                case "do" -> {
                    Expr e = parseExpr();
                    expectEnd();
                    return ctx -> e.eval(ctx);
                }
                default -> throw new TemplateError("unknown tag '" + name + "' at " + at.pos);
            }
        }

        private void expectEnd() {
            Tok t = toks.get(i);
            if (t.type != T.END) {
                throw new TemplateError("expected end of tag, got '" + t.text + "' at " + t.pos);
            }
            i++;
        }

        private Tok peek() {
            return toks.get(i);
        }

        private boolean isOp(String op) {
            Tok t = peek();
            return t.type == T.OP && t.text.equals(op);
        }

        private boolean acceptOp(String op) {
            if (isOp(op)) {
                i++;
                return true;
            }
            return false;
        }

        private void expectOp(String op) {
            if (!acceptOp(op)) {
                throw new TemplateError("expected '" + op + "', got '" + peek().text + "' at " + peek().pos);
            }
        }

        private boolean isKeyword(String kw) {
            Tok t = peek();
            return t.type == T.NAME && t.text.equals(kw);
        }

        private boolean acceptKeyword(String kw) {
            if (isKeyword(kw)) {
                i++;
                return true;
            }
            return false;
        }

        private void expectKeyword(String kw) {
            if (!acceptKeyword(kw)) {
                throw new TemplateError("expected '" + kw + "', got '" + peek().text + "'");
            }
        }

        private String expectName() {
            Tok t = peek();
            if (t.type != T.NAME) {
                throw new TemplateError("expected a name, got '" + t.text + "' at " + t.pos);
            }
            i++;
            return t.text;
        }

        /** {@code a, b} (a tuple, as in {@code set x = 1, 2}) or one expression. */
        private Expr parseTupleOrExpr() {
            Expr first = parseExpr();
            if (!isOp(",")) {
                return first;
            }
            List<Expr> items = new ArrayList<>(List.of(first));
            while (acceptOp(",")) {
                if (peek().type == T.END) {
                    break;
                }
                items.add(parseExpr());
            }
            return listOf(items);
        }

        Expr parseExpr() {
            Expr e = parseOr();
            if (acceptKeyword("if")) {
                Expr cond = parseOr();
                Expr otherwise = acceptKeyword("else") ? parseExpr() : null;
                Expr then = e;
                return ctx -> truthy(cond.eval(ctx)) ? then.eval(ctx)
                        : otherwise == null ? new Undefined("the inline if's else") : otherwise.eval(ctx);
            }
            return e;
        }

        private Expr parseOr() {
            Expr left = parseAnd();
            while (acceptKeyword("or")) {
                Expr l = left;
                Expr r = parseAnd();
                left = ctx -> {
                    Object v = l.eval(ctx);
                    return truthy(v) ? v : r.eval(ctx);
                };
            }
            return left;
        }

        private Expr parseAnd() {
            Expr left = parseNot();
            while (acceptKeyword("and")) {
                Expr l = left;
                Expr r = parseNot();
                left = ctx -> {
                    Object v = l.eval(ctx);
                    return truthy(v) ? r.eval(ctx) : v;
                };
            }
            return left;
        }

        private Expr parseNot() {
            if (acceptKeyword("not")) {
                Expr e = parseNot();
                return ctx -> !truthy(e.eval(ctx));
            }
            return parseCompare();
        }

        private Expr parseCompare() {
            Expr left = parseMath1();
            while (true) {
                Tok t = peek();
                String op;
                if (t.type == T.OP && List.of("==", "!=", "<", ">", "<=", ">=").contains(t.text)) {
                    op = t.text;
                    i++;
                } else if (isKeyword("in")) {
                    op = "in";
                    i++;
                } else if (isKeyword("not") && toks.get(i + 1).type == T.NAME && toks.get(i + 1).text.equals("in")) {
                    op = "not in";
                    i += 2;
                } else {
                    return left;
                }
                Expr l = left;
                Expr r = parseMath1();
                String o = op;
                left = ctx -> compare(o, l.eval(ctx), r.eval(ctx));
            }
        }

        private Expr parseMath1() {
            Expr left = parseConcat();
            while (isOp("+") || isOp("-")) {
                String op = peek().text;
                i++;
                Expr l = left;
                Expr r = parseConcat();
                left = ctx -> arith(op, l.eval(ctx), r.eval(ctx));
            }
            return left;
        }

        private Expr parseConcat() {
            Expr left = parseMath2();
            while (acceptOp("~")) {
                Expr l = left;
                Expr r = parseMath2();
                left = ctx -> str(l.eval(ctx)) + str(r.eval(ctx));
            }
            return left;
        }

        private Expr parseMath2() {
            Expr left = parsePow();
            while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
                String op = peek().text;
                i++;
                Expr l = left;
                Expr r = parsePow();
                left = ctx -> arith(op, l.eval(ctx), r.eval(ctx));
            }
            return left;
        }

        private Expr parsePow() {
            Expr left = parseUnary(true);
            while (acceptOp("**")) {
                Expr l = left;
                Expr r = parseUnary(true);
                left = ctx -> arith("**", l.eval(ctx), r.eval(ctx));
            }
            return left;
        }

        private Expr parseUnary(boolean withFilter) {
            Expr e;
            if (acceptOp("-")) {
                Expr inner = parseUnary(false);
                e = ctx -> arith("-", 0L, inner.eval(ctx));
            } else if (acceptOp("+")) {
                e = parseUnary(false);
            } else {
                e = parsePostfix(parsePrimary());
            }
            return withFilter ? parseFilterExpr(e) : e;
        }

        private Expr parsePrimary() {
            Tok t = peek();
            i++;
            switch (t.type) {
                case STRING -> {
                    StringBuilder s = new StringBuilder(t.text);
                    while (peek().type == T.STRING) { // adjacent literals concatenate
                        s.append(peek().text);
                        i++;
                    }
                    String v = s.toString();
                    return ctx -> v;
                }
                case INT -> {
                    long v = Long.parseLong(t.text);
                    return ctx -> v;
                }
                case FLOAT -> {
                    double v = Double.parseDouble(t.text);
                    return ctx -> v;
                }
                case NAME -> {
                    switch (t.text) {
                        case "true", "True" -> {
                            return ctx -> Boolean.TRUE;
                        }
                        case "false", "False" -> {
                            return ctx -> Boolean.FALSE;
                        }
                        case "none", "None" -> {
                            return ctx -> null;
                        }
                        default -> {
                            String name = t.text;
                            return ctx -> ctx.lookup(name);
                        }
                    }
                }
                case OP -> {
                    if (t.text.equals("(")) {
                        if (acceptOp(")")) {
                            return listOf(List.of());
                        }
                        Expr first = parseExpr();
                        if (acceptOp(")")) {
                            return first;
                        }
                        List<Expr> items = new ArrayList<>(List.of(first));
                        while (acceptOp(",")) {
                            if (isOp(")")) {
                                break;
                            }
                            items.add(parseExpr());
                        }
                        expectOp(")");
                        return listOf(items);
                    }
                    if (t.text.equals("[")) {
                        List<Expr> items = new ArrayList<>();
                        while (!acceptOp("]")) {
                            items.add(parseExpr());
                            if (!acceptOp(",")) {
                                expectOp("]");
                                break;
                            }
                        }
                        return listOf(items);
                    }
                    if (t.text.equals("{")) {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!acceptOp("}")) {
                            keys.add(parseExpr());
                            expectOp(":");
                            values.add(parseExpr());
                            if (!acceptOp(",")) {
                                expectOp("}");
                                break;
                            }
                        }
                        return ctx -> {
                            Map<Object, Object> m = new LinkedHashMap<>();
                            for (int k = 0; k < keys.size(); k++) {
                                m.put(keys.get(k).eval(ctx), values.get(k).eval(ctx));
                            }
                            return m;
                        };
                    }
                }
                default -> {
                }
            }
            throw new TemplateError("unexpected '" + t.text + "' at " + t.pos);
        }

        private static Expr listOf(List<Expr> items) {
            return ctx -> {
                List<Object> l = new ArrayList<>(items.size());
                for (Expr e : items) {
                    l.add(e.eval(ctx));
                }
                return l;
            };
        }

        private Expr parsePostfix(Expr e) {
            while (true) {
                if (acceptOp(".")) {
                    Tok t = peek();
                    i++;
                    String name = t.text;
                    Expr obj = e;
                    if (t.type == T.INT) {
                        long idx = Long.parseLong(name);
                        e = ctx -> getItem(obj.eval(ctx), idx);
                    } else {
                        e = ctx -> getAttr(obj.eval(ctx), name);
                    }
                } else if (acceptOp("[")) {
                    Expr obj = e;
                    Expr[] parts = new Expr[3];
                    boolean slice = false;
                    int part = 0;
                    while (!isOp("]")) {
                        if (acceptOp(":")) {
                            slice = true;
                            part++;
                            if (part > 2) {
                                throw new TemplateError("bad slice");
                            }
                            continue;
                        }
                        parts[part] = parseExpr();
                    }
                    expectOp("]");
                    if (slice) {
                        e = ctx -> slice(obj.eval(ctx), eval(parts[0], ctx), eval(parts[1], ctx), eval(parts[2], ctx));
                    } else {
                        Expr key = parts[0];
                        e = ctx -> getItem(obj.eval(ctx), key.eval(ctx));
                    }
                } else if (acceptOp("(")) {
                    List<Expr> args = new ArrayList<>();
                    Map<String, Expr> kwargs = new LinkedHashMap<>();
                    parseArgs(args, kwargs);
                    Expr fn = e;
                    e = ctx -> call(fn.eval(ctx), evalAll(args, ctx), evalAll(kwargs, ctx));
                } else {
                    return e;
                }
            }
        }

        /** After '(': positional and keyword arguments up to and including ')'. */
        private void parseArgs(List<Expr> args, Map<String, Expr> kwargs) {
            while (!acceptOp(")")) {
                if (peek().type == T.NAME && toks.get(i + 1).type == T.OP && toks.get(i + 1).text.equals("=")) {
                    String k = peek().text;
                    i += 2;
                    kwargs.put(k, parseExpr());
                } else {
                    args.add(parseExpr());
                }
                if (!acceptOp(",")) {
                    expectOp(")");
                    break;
                }
            }
        }

        private Expr parseFilterExpr(Expr e) {
            while (true) {
                if (acceptOp("|")) {
                    String name = expectName();
                    while (acceptOp(".")) {
                        name += "." + expectName();
                    }
                    List<Expr> args = new ArrayList<>();
                    Map<String, Expr> kwargs = new LinkedHashMap<>();
                    if (acceptOp("(")) {
                        parseArgs(args, kwargs);
                    }
                    Expr obj = e;
                    String n = name;
                    e = ctx -> Builtins.filter(n, obj.eval(ctx), evalAll(args, ctx), evalAll(kwargs, ctx), ctx);
                } else if (acceptKeyword("is")) {
                    boolean negate = acceptKeyword("not");
                    String name = expectName();
                    List<Expr> args = new ArrayList<>();
                    if (acceptOp("(")) {
                        parseArgs(args, new LinkedHashMap<>());
                    } else if (peek().type == T.STRING || peek().type == T.INT || peek().type == T.FLOAT
                            || (peek().type == T.NAME && !List.of("and", "or", "if", "else", "not", "in", "is").contains(peek().text))) {
                        args.add(parsePrimary());
                    }
                    Expr obj = e;
                    e = ctx -> negate != Builtins.test(name, obj.eval(ctx), evalAll(args, ctx));
                } else if (isOp("(")) {
                    e = parsePostfix(e);
                } else {
                    return e;
                }
            }
        }
    }

    private static Object eval(Expr e, Ctx ctx) {
        return e == null ? null : e.eval(ctx);
    }

    private static List<Object> evalAll(List<Expr> args, Ctx ctx) {
        List<Object> out = new ArrayList<>(args.size());
        for (Expr e : args) {
            out.add(e.eval(ctx));
        }
        return out;
    }

    private static Map<String, Object> evalAll(Map<String, Expr> args, Ctx ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        args.forEach((k, v) -> out.put(k, v.eval(ctx)));
        return out;
    }

    // ------------------------------------------------------------------------------------------------ Python semantics

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str()}, as Jinja2 prints a value. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof String s) {
            boolean dq = s.contains("'") && !s.contains("\"");
            char q = dq ? '"' : '\'';
            StringBuilder sb = new StringBuilder().append(q);
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c == q) {
                            sb.append('\\').append(c);
                        } else if (c < 0x20 || c == 0x7f) {
                            sb.append(String.format("\\x%02x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append(q).toString();
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int k = 0; k < l.size(); k++) {
                sb.append(k == 0 ? "" : ", ").append(repr(l.get(k)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        if (v instanceof Namespace) {
            return "<Namespace>";
        }
        return String.valueOf(v);
    }

    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return String.valueOf((long) d) + ".0";
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mant = s.substring(0, e);
        if (mant.endsWith(".0")) {
            mant = mant.substring(0, mant.length() - 2);
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        if (exp >= -4 && exp < 16) {
            return new java.math.BigDecimal(s).toPlainString();
        }
        return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    static List<Object> iterate(Object v) {
        if (v == null) {
            throw new TemplateError("'NoneType' object is not iterable");
        }
        if (v instanceof Undefined) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        if (v instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        throw new TemplateError("'" + typeName(v) + "' object is not iterable");
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        return v.getClass().getSimpleName();
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    private static double toDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    private static long toLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).longValue();
    }

    static boolean pyEquals(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (isNumber(a) && isNumber(b)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int k = 0; k < x.size(); k++) {
                if (!pyEquals(x.get(k), y.get(k))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static Object compare(String op, Object a, Object b) {
        switch (op) {
            case "==" -> {
                return pyEquals(a, b);
            }
            case "!=" -> {
                return !pyEquals(a, b);
            }
            case "in" -> {
                return contains(b, a);
            }
            case "not in" -> {
                return !contains(b, a);
            }
            default -> {
                int c;
                if (isNumber(a) && isNumber(b)) {
                    c = Double.compare(toDouble(a), toDouble(b));
                } else if (a instanceof String x && b instanceof String y) {
                    c = x.compareTo(y);
                } else {
                    if (a instanceof Undefined u) {
                        throw u.error();
                    }
                    if (b instanceof Undefined u) {
                        throw u.error();
                    }
                    throw new TemplateError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
                }
                return switch (op) {
                    case "<" -> c < 0;
                    case ">" -> c > 0;
                    case "<=" -> c <= 0;
                    default -> c >= 0;
                };
            }
        }
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String x)) {
                throw new TemplateError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(x);
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        }
        if (container instanceof Undefined) {
            return false; // Jinja2's Undefined iterates empty
        }
        if (container == null) {
            throw new TemplateError("argument of type 'NoneType' is not iterable");
        }
        for (Object o : iterate(container)) {
            if (pyEquals(o, item)) {
                return true;
            }
        }
        return false;
    }

    private static Object arith(String op, Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) {
                return x + y;
            }
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> out = new ArrayList<>(x);
                out.addAll(y);
                return out;
            }
        }
        if (op.equals("*")) {
            if (a instanceof String s && (b instanceof Long || b instanceof Boolean)) {
                return s.repeat((int) Math.max(0, toLong(b)));
            }
            if (b instanceof String s && (a instanceof Long || a instanceof Boolean)) {
                return s.repeat((int) Math.max(0, toLong(a)));
            }
        }
        if (op.equals("%") && a instanceof String s) {
            return Builtins.percentFormat(s, b);
        }
        if (!isNumber(a) || !isNumber(b)) {
            throw new TemplateError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
        }
        boolean ints = !(a instanceof Double) && !(b instanceof Double);
        switch (op) {
            case "+" -> {
                return ints ? (Object) (toLong(a) + toLong(b)) : toDouble(a) + toDouble(b);
            }
            case "-" -> {
                return ints ? (Object) (toLong(a) - toLong(b)) : toDouble(a) - toDouble(b);
            }
            case "*" -> {
                return ints ? (Object) (toLong(a) * toLong(b)) : toDouble(a) * toDouble(b);
            }
            case "/" -> {
                if (toDouble(b) == 0) {
                    throw new TemplateError("division by zero");
                }
                return toDouble(a) / toDouble(b);
            }
            case "//" -> {
                if (toDouble(b) == 0) {
                    throw new TemplateError("integer division or modulo by zero");
                }
                return ints ? (Object) Math.floorDiv(toLong(a), toLong(b)) : Math.floor(toDouble(a) / toDouble(b));
            }
            case "%" -> {
                if (toDouble(b) == 0) {
                    throw new TemplateError("integer division or modulo by zero");
                }
                if (ints) {
                    return Math.floorMod(toLong(a), toLong(b));
                }
                double x = toDouble(a);
                double y = toDouble(b);
                double r = x % y;
                return r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
            default -> {
                if (ints && toLong(b) >= 0) {
                    long r = 1;
                    for (long k = 0; k < toLong(b); k++) {
                        r *= toLong(a);
                    }
                    return r;
                }
                return Math.pow(toDouble(a), toDouble(b));
            }
        }
    }

    /** {@code obj.name}: Jinja2's getattr (attribute, then item). */
    static Object getAttr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (obj instanceof Namespace ns) {
            return ns.attrs.containsKey(name) ? ns.attrs.get(name) : new Undefined("'Namespace' has no attribute '" + name + "'");
        }
        if (obj instanceof LoopObject loop) {
            return loop.attrs.containsKey(name) ? loop.attrs.get(name) : new Undefined("'LoopContext' has no attribute '" + name + "'");
        }
        Callable method = Builtins.method(obj, name);
        if (method != null) {
            return method;
        }
        if (obj instanceof Map<?, ?> m && m.containsKey(name)) {
            return m.get(name);
        }
        return new Undefined("'" + typeName(obj) + " object' has no attribute '" + name + "'");
    }

    /** {@code obj[key]}: Jinja2's getitem (item, then attribute for a string key). */
    static Object getItem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (obj instanceof Map<?, ?> m) {
            if (m.containsKey(key)) {
                return m.get(key);
            }
        } else if (obj instanceof List<?> l && (key instanceof Long || key instanceof Boolean)) {
            long k = toLong(key);
            if (k < 0) {
                k += l.size();
            }
            if (k >= 0 && k < l.size()) {
                return l.get((int) k);
            }
            return new Undefined("list object has no element " + key);
        } else if (obj instanceof String s && (key instanceof Long || key instanceof Boolean)) {
            List<Object> cps = iterate(s);
            long k = toLong(key);
            if (k < 0) {
                k += cps.size();
            }
            if (k >= 0 && k < cps.size()) {
                return cps.get((int) k);
            }
            return new Undefined("str object has no element " + key);
        }
        if (key instanceof String name && !(obj instanceof Map)) {
            return getAttr(obj, name);
        }
        return new Undefined("'" + typeName(obj) + " object' has no attribute " + repr(key));
    }

    private static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        boolean isString = obj instanceof String;
        List<Object> items = iterate(obj);
        int n = items.size();
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw new TemplateError("slice step cannot be zero");
        }
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long k = lo; st > 0 ? k < hi : k > hi; k += st) {
            out.add(items.get((int) k));
        }
        if (isString) {
            StringBuilder sb = new StringBuilder();
            out.forEach(o -> sb.append((String) o));
            return sb.toString();
        }
        return out;
    }

    private static long clamp(long v, int n, long min, long max) {
        if (v < 0) {
            v += n;
        }
        return Math.max(min, Math.min(max, v));
    }

    private static Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (fn instanceof Callable c) {
            return c.call(args, kwargs);
        }
        if (fn instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateError("'" + typeName(fn) + "' object is not callable");
    }

    // ------------------------------------------------------------------------------------------------ builtins

    /** Filters, tests, methods and global functions. */
    static final class Builtins {
        private Builtins() {
        }

        /** The globals every render sees: {@code range}, {@code namespace}, {@code dict}, and the HF functions. */
        static Map<String, Object> globals(Supplier<ZonedDateTime> now) {
            Map<String, Object> g = new HashMap<>();
            g.put("range", (Callable) (a, kw) -> {
                long start = 0;
                long stop;
                long step = 1;
                if (a.size() == 1) {
                    stop = toLong(a.get(0));
                } else {
                    start = toLong(a.get(0));
                    stop = toLong(a.get(1));
                    if (a.size() > 2) {
                        step = toLong(a.get(2));
                    }
                }
                List<Object> out = new ArrayList<>();
                for (long k = start; step > 0 ? k < stop : k > stop; k += step) {
                    out.add(k);
                }
                return out;
            });
            g.put("namespace", (Callable) (a, kw) -> {
                Namespace ns = new Namespace();
                for (Object o : a) {
                    if (o instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> ns.attrs.put(String.valueOf(k), v));
                    }
                }
                ns.attrs.putAll(kw);
                return ns;
            });
            g.put("dict", (Callable) (a, kw) -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (Object o : a) {
                    if (o instanceof Map<?, ?> x) {
                        m.putAll(x);
                    }
                }
                m.putAll(kw);
                return m;
            });
            g.put("raise_exception", (Callable) (a, kw) -> {
                throw new RaisedException(a.isEmpty() ? "" : str(a.get(0)));
            });
            g.put("strftime_now", (Callable) (a, kw) -> strftime(now.get(), a.isEmpty() ? "" : str(a.get(0))));
            return g;
        }

        /** Python's {@code datetime.strftime} for the directives templates use (C locale). */
        static String strftime(ZonedDateTime t, String format) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < format.length(); k++) {
                char c = format.charAt(k);
                if (c != '%' || k + 1 >= format.length()) {
                    sb.append(c);
                    continue;
                }
                char d = format.charAt(++k);
                boolean noPad = false;
                if (d == '-' && k + 1 < format.length()) {
                    noPad = true;
                    d = format.charAt(++k);
                }
                String two = noPad ? "%d" : "%02d";
                switch (d) {
                    case 'd' -> sb.append(String.format(two, t.getDayOfMonth()));
                    case 'm' -> sb.append(String.format(two, t.getMonthValue()));
                    case 'Y' -> sb.append(t.getYear());
                    case 'y' -> sb.append(String.format(two, t.getYear() % 100));
                    case 'H' -> sb.append(String.format(two, t.getHour()));
                    case 'I' -> sb.append(String.format(two, (t.getHour() + 11) % 12 + 1));
                    case 'M' -> sb.append(String.format(two, t.getMinute()));
                    case 'S' -> sb.append(String.format(two, t.getSecond()));
                    case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                    case 'b', 'h' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                    case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                    case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                    case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                    case 'j' -> sb.append(String.format(noPad ? "%d" : "%03d", t.getDayOfYear()));
                    case 'w' -> sb.append(t.getDayOfWeek().getValue() % 7);
                    case 'F' -> sb.append(String.format("%d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
                    case '%' -> sb.append('%');
                    default -> sb.append('%').append(d);
                }
            }
            return sb.toString();
        }

        static String percentFormat(String s, Object arg) {
            List<Object> args = arg instanceof List<?> l ? new ArrayList<>(l) : List.of(arg == null ? "None" : arg);
            StringBuilder sb = new StringBuilder();
            int ai = 0;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c == '%' && k + 1 < s.length()) {
                    char d = s.charAt(++k);
                    switch (d) {
                        case 's' -> sb.append(str(args.get(ai++)));
                        case 'd' -> sb.append(toLong(args.get(ai++)));
                        case 'r' -> sb.append(repr(args.get(ai++)));
                        case '%' -> sb.append('%');
                        default -> sb.append('%').append(d);
                    }
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private static String strArg(List<Object> a, int k) {
            return k < a.size() && a.get(k) != null ? str(a.get(k)) : null;
        }

        private static String strip(String s, String chars, boolean left, boolean right) {
            int lo = 0;
            int hi = s.length();
            if (chars == null) {
                while (left && lo < hi && isPyWhitespace(s.charAt(lo))) {
                    lo++;
                }
                while (right && hi > lo && isPyWhitespace(s.charAt(hi - 1))) {
                    hi--;
                }
            } else {
                while (left && lo < hi && chars.indexOf(s.charAt(lo)) >= 0) {
                    lo++;
                }
                while (right && hi > lo && chars.indexOf(s.charAt(hi - 1)) >= 0) {
                    hi--;
                }
            }
            return s.substring(lo, hi);
        }

        static List<Object> split(String s, String sep, long maxsplit) {
            List<Object> out = new ArrayList<>();
            if (sep == null) {
                int k = 0;
                int n = s.length();
                while (true) {
                    while (k < n && isPyWhitespace(s.charAt(k))) {
                        k++;
                    }
                    if (k >= n) {
                        break;
                    }
                    if (maxsplit >= 0 && out.size() == maxsplit) {
                        out.add(rstripWs(s.substring(k)));
                        break;
                    }
                    int start = k;
                    while (k < n && !isPyWhitespace(s.charAt(k))) {
                        k++;
                    }
                    out.add(s.substring(start, k));
                }
                return out;
            }
            if (sep.isEmpty()) {
                throw new TemplateError("empty separator");
            }
            int start = 0;
            while (maxsplit < 0 || out.size() < maxsplit) {
                int at = s.indexOf(sep, start);
                if (at < 0) {
                    break;
                }
                out.add(s.substring(start, at));
                start = at + sep.length();
            }
            out.add(s.substring(start));
            return out;
        }

        private static String pyTitle(String s) {
            StringBuilder sb = new StringBuilder();
            boolean prevCased = false;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                boolean cased = Character.isLetter(c);
                sb.append(cased ? (prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c)) : c);
                prevCased = cased;
            }
            return sb.toString();
        }

        private static String capitalize(String s) {
            if (s.isEmpty()) {
                return s;
            }
            int first = s.offsetByCodePoints(0, 1);
            return s.substring(0, first).toUpperCase(Locale.ROOT) + s.substring(first).toLowerCase(Locale.ROOT);
        }

        private static boolean affix(String s, Object arg, boolean prefix) {
            if (arg instanceof List<?> l) {
                for (Object o : l) {
                    if (affix(s, o, prefix)) {
                        return true;
                    }
                }
                return false;
            }
            if (!(arg instanceof String x)) {
                throw new TemplateError((prefix ? "startswith" : "endswith") + " first arg must be str or a tuple of str, not " + typeName(arg));
            }
            return prefix ? s.startsWith(x) : s.endsWith(x);
        }

        /** A bound method of a value, or null. */
        static Callable method(Object obj, String name) {
            if (obj instanceof String s) {
                return switch (name) {
                    case "startswith" -> (a, kw) -> affix(s, a.get(0), true);
                    case "endswith" -> (a, kw) -> affix(s, a.get(0), false);
                    case "strip" -> (a, kw) -> strip(s, strArg(a, 0), true, true);
                    case "lstrip" -> (a, kw) -> strip(s, strArg(a, 0), true, false);
                    case "rstrip" -> (a, kw) -> strip(s, strArg(a, 0), false, true);
                    case "split" -> (a, kw) -> split(s, strArg(a, 0) != null ? strArg(a, 0) : (String) kw.get("sep"),
                            a.size() > 1 ? toLong(a.get(1)) : kw.containsKey("maxsplit") ? toLong(kw.get("maxsplit")) : -1);
                    case "rsplit" -> (a, kw) -> {
                        String sep = strArg(a, 0);
                        long max = a.size() > 1 ? toLong(a.get(1)) : -1;
                        if (max < 0 || sep == null) {
                            return split(s, sep, max);
                        }
                        List<Object> parts = new ArrayList<>();
                        String rest = s;
                        while (parts.size() < max) {
                            int at = rest.lastIndexOf(sep);
                            if (at < 0) {
                                break;
                            }
                            parts.add(0, rest.substring(at + sep.length()));
                            rest = rest.substring(0, at);
                        }
                        parts.add(0, rest);
                        return parts;
                    };
                    case "replace" -> (a, kw) -> {
                        String from = str(a.get(0));
                        String to = str(a.get(1));
                        long count = a.size() > 2 ? toLong(a.get(2)) : -1;
                        return replace(s, from, to, count);
                    };
                    case "upper" -> (a, kw) -> s.toUpperCase(Locale.ROOT);
                    case "lower" -> (a, kw) -> s.toLowerCase(Locale.ROOT);
                    case "title" -> (a, kw) -> pyTitle(s);
                    case "capitalize" -> (a, kw) -> capitalize(s);
                    case "find" -> (a, kw) -> (long) s.indexOf(str(a.get(0)));
                    case "rfind" -> (a, kw) -> (long) s.lastIndexOf(str(a.get(0)));
                    case "count" -> (a, kw) -> (long) (split(s, str(a.get(0)), -1).size() - 1);
                    case "join" -> (a, kw) -> {
                        StringBuilder sb = new StringBuilder();
                        List<Object> items = iterate(a.get(0));
                        for (int k = 0; k < items.size(); k++) {
                            sb.append(k == 0 ? "" : s).append(str(items.get(k)));
                        }
                        return sb.toString();
                    };
                    case "splitlines" -> (a, kw) -> new ArrayList<Object>(List.of(s.split("\r\n|\r|\n", -1)))
                            .subList(0, s.isEmpty() ? 0 : s.split("\r\n|\r|\n", -1).length - (s.endsWith("\n") ? 1 : 0));
                    case "isdigit" -> (a, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
                    case "isspace" -> (a, kw) -> !s.isEmpty() && isBlank(s, 0);
                    case "isalpha" -> (a, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
                    case "format" -> (a, kw) -> format(s, a, kw);
                    default -> null;
                };
            }
            if (obj instanceof Map<?, ?> m) {
                return switch (name) {
                    case "get" -> (a, kw) -> m.containsKey(a.get(0)) ? m.get(a.get(0)) : a.size() > 1 ? a.get(1) : null;
                    case "items" -> (a, kw) -> {
                        List<Object> out = new ArrayList<>();
                        m.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
                        return out;
                    };
                    case "keys" -> (a, kw) -> new ArrayList<Object>(m.keySet());
                    case "values" -> (a, kw) -> new ArrayList<Object>(m.values());
                    default -> null;
                };
            }
            if (obj instanceof List<?> l) {
                return switch (name) {
                    case "index" -> (a, kw) -> {
                        for (int k = 0; k < l.size(); k++) {
                            if (pyEquals(l.get(k), a.get(0))) {
                                return (long) k;
                            }
                        }
                        throw new TemplateError(repr(a.get(0)) + " is not in list");
                    };
                    case "count" -> (a, kw) -> l.stream().filter(o -> pyEquals(o, a.get(0))).count();
                    default -> null;
                };
            }
            return null;
        }

        private static String replace(String s, String from, String to, long count) {
            if (count < 0) {
                return s.replace(from, to);
            }
            StringBuilder sb = new StringBuilder();
            int start = 0;
            for (long k = 0; k < count; k++) {
                int at = s.indexOf(from, start);
                if (at < 0) {
                    break;
                }
                sb.append(s, start, at).append(to);
                start = at + from.length();
                if (from.isEmpty()) {
                    if (at < s.length()) {
                        sb.append(s.charAt(at));
                    }
                    start = at + 1;
                }
            }
            return sb.append(s.substring(Math.min(start, s.length()))).toString();
        }

        private static String format(String s, List<Object> a, Map<String, Object> kw) {
            StringBuilder sb = new StringBuilder();
            int auto = 0;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c == '{' && k + 1 < s.length() && s.charAt(k + 1) == '{') {
                    sb.append('{');
                    k++;
                } else if (c == '}' && k + 1 < s.length() && s.charAt(k + 1) == '}') {
                    sb.append('}');
                    k++;
                } else if (c == '{') {
                    int end = s.indexOf('}', k);
                    String field = s.substring(k + 1, end);
                    Object v = field.isEmpty() ? a.get(auto++) : field.chars().allMatch(Character::isDigit)
                            ? a.get(Integer.parseInt(field)) : kw.get(field);
                    sb.append(str(v));
                    k = end;
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        static long length(Object v) {
            if (v instanceof String s) {
                return s.codePointCount(0, s.length());
            }
            if (v instanceof Collection<?> c) {
                return c.size();
            }
            if (v instanceof Map<?, ?> m) {
                return m.size();
            }
            if (v instanceof Undefined) {
                return 0;
            }
            throw new TemplateError("object of type '" + typeName(v) + "' has no len()");
        }

        private static Object attribute(Object item, String path) {
            Object v = item;
            for (String part : path.split("\\.")) {
                v = part.chars().allMatch(Character::isDigit) ? getItem(v, Long.parseLong(part)) : getItem(v, part);
            }
            return v;
        }

        static Object filter(String name, Object v, List<Object> a, Map<String, Object> kw, Ctx ctx) {
            switch (name) {
                case "trim" -> {
                    return strip(str(v), strArg(a, 0), true, true);
                }
                case "tojson" -> {
                    Object indent = a.isEmpty() ? kw.get("indent") : a.get(0);
                    StringBuilder sb = new StringBuilder();
                    Json.write(sb, v, indent == null ? -1 : (int) toLong(indent), 0,
                            truthy(kw.get("sort_keys")), kw.containsKey("ensure_ascii") && truthy(kw.get("ensure_ascii")));
                    return sb.toString();
                }
                case "length", "count" -> {
                    return length(v);
                }
                case "upper" -> {
                    return str(v).toUpperCase(Locale.ROOT);
                }
                case "lower" -> {
                    return str(v).toLowerCase(Locale.ROOT);
                }
                case "title" -> {
                    // Jinja2: capitalize the first letter of each word (after whitespace, '-', '(', '{', '[')
                    String s = str(v);
                    StringBuilder sb = new StringBuilder();
                    boolean start = true;
                    for (char c : s.toCharArray()) {
                        sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
                        start = isPyWhitespace(c) || "-([{".indexOf(c) >= 0;
                    }
                    return sb.toString();
                }
                case "capitalize" -> {
                    return capitalize(str(v));
                }
                case "string" -> {
                    return str(v);
                }
                case "safe", "e", "escape", "forceescape" -> {
                    return name.equals("safe") ? v : str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                            .replace("'", "&#39;").replace("\"", "&#34;");
                }
                case "default", "d" -> {
                    boolean bool = a.size() > 1 ? truthy(a.get(1)) : truthy(kw.get("boolean"));
                    Object dflt = a.isEmpty() ? kw.getOrDefault("default_value", "") : a.get(0);
                    return v instanceof Undefined || (bool && !truthy(v)) ? dflt : v;
                }
                case "first" -> {
                    List<Object> l = iterate(v);
                    return l.isEmpty() ? new Undefined("first of an empty sequence") : l.get(0);
                }
                case "last" -> {
                    List<Object> l = iterate(v);
                    return l.isEmpty() ? new Undefined("last of an empty sequence") : l.get(l.size() - 1);
                }
                case "list" -> {
                    return iterate(v);
                }
                case "reverse" -> {
                    if (v instanceof String s) {
                        return new StringBuilder(s).reverse().toString();
                    }
                    List<Object> l = iterate(v);
                    java.util.Collections.reverse(l);
                    return l;
                }
                case "join" -> {
                    String sep = a.isEmpty() ? str(kw.getOrDefault("d", "")) : str(a.get(0));
                    Object attr = a.size() > 1 ? a.get(1) : kw.get("attribute");
                    StringBuilder sb = new StringBuilder();
                    List<Object> items = iterate(v);
                    for (int k = 0; k < items.size(); k++) {
                        Object item = attr == null ? items.get(k) : attribute(items.get(k), str(attr));
                        sb.append(k == 0 ? "" : sep).append(str(item));
                    }
                    return sb.toString();
                }
                case "int" -> {
                    if (v instanceof String s) {
                        try {
                            return Long.parseLong(s.strip());
                        } catch (NumberFormatException e) {
                            try {
                                return (long) Double.parseDouble(s.strip());
                            } catch (NumberFormatException e2) {
                                return a.isEmpty() ? 0L : a.get(0);
                            }
                        }
                    }
                    return isNumber(v) ? toLong(v) : a.isEmpty() ? 0L : a.get(0);
                }
                case "float" -> {
                    if (v instanceof String s) {
                        try {
                            return Double.parseDouble(s.strip());
                        } catch (NumberFormatException e) {
                            return a.isEmpty() ? 0.0 : a.get(0);
                        }
                    }
                    return isNumber(v) ? toDouble(v) : a.isEmpty() ? 0.0 : a.get(0);
                }
                case "abs" -> {
                    return v instanceof Double d ? Math.abs(d) : Math.abs(toLong(v));
                }
                case "round" -> {
                    long precision = a.isEmpty() ? 0 : toLong(a.get(0));
                    double f = Math.pow(10, precision);
                    return Math.rint(toDouble(v) * f) / f;
                }
                case "replace" -> {
                    return replace(str(v), str(a.get(0)), str(a.get(1)), a.size() > 2 ? toLong(a.get(2)) : -1);
                }
                case "items" -> {
                    if (v instanceof Undefined) {
                        return List.of();
                    }
                    return method(v, "items").call(List.of(), Map.of());
                }
                case "dictsort" -> {
                    @SuppressWarnings("unchecked")
                    List<Object> items = (List<Object>) method(v, "items").call(List.of(), Map.of());
                    items.sort((x, y) -> str(((List<?>) x).get(0)).compareTo(str(((List<?>) y).get(0))));
                    return items;
                }
                case "unique" -> {
                    List<Object> out = new ArrayList<>();
                    for (Object o : iterate(v)) {
                        if (out.stream().noneMatch(x -> pyEquals(x, o))) {
                            out.add(o);
                        }
                    }
                    return out;
                }
                case "sort" -> {
                    List<Object> l = iterate(v);
                    boolean reverse = truthy(kw.get("reverse"));
                    Object attr = kw.get("attribute");
                    l.sort((x, y) -> {
                        Object kx = attr == null ? x : attribute(x, str(attr));
                        Object ky = attr == null ? y : attribute(y, str(attr));
                        return truthy(compare("<", kx, ky)) ? -1 : pyEquals(kx, ky) ? 0 : 1;
                    });
                    if (reverse) {
                        java.util.Collections.reverse(l);
                    }
                    return l;
                }
                case "min", "max" -> {
                    List<Object> l = iterate(v);
                    Object best = null;
                    for (Object o : l) {
                        if (best == null || truthy(compare(name.equals("min") ? "<" : ">", o, best))) {
                            best = o;
                        }
                    }
                    return best == null ? new Undefined("empty sequence") : best;
                }
                case "sum" -> {
                    Object total = 0L;
                    for (Object o : iterate(v)) {
                        total = arith("+", total, kw.containsKey("attribute") ? attribute(o, str(kw.get("attribute"))) : o);
                    }
                    return total;
                }
                case "map" -> {
                    List<Object> out = new ArrayList<>();
                    for (Object o : iterate(v)) {
                        if (kw.containsKey("attribute")) {
                            Object x = attribute(o, str(kw.get("attribute")));
                            out.add(x instanceof Undefined && kw.containsKey("default") ? kw.get("default") : x);
                        } else {
                            out.add(filter(str(a.get(0)), o, a.subList(1, a.size()), Map.of(), ctx));
                        }
                    }
                    return out;
                }
                case "selectattr", "rejectattr" -> {
                    List<Object> out = new ArrayList<>();
                    for (Object o : iterate(v)) {
                        Object x = attribute(o, str(a.get(0)));
                        boolean ok = a.size() > 1 ? test(str(a.get(1)), x, a.subList(2, a.size())) : truthy(x);
                        if (ok == name.equals("selectattr")) {
                            out.add(o);
                        }
                    }
                    return out;
                }
                case "select", "reject" -> {
                    List<Object> out = new ArrayList<>();
                    for (Object o : iterate(v)) {
                        boolean ok = a.isEmpty() ? truthy(o) : test(str(a.get(0)), o, a.subList(1, a.size()));
                        if (ok == name.equals("select")) {
                            out.add(o);
                        }
                    }
                    return out;
                }
                case "indent" -> {
                    long width = a.isEmpty() ? toLong(kw.getOrDefault("width", 4L)) : toLong(a.get(0));
                    boolean first = a.size() > 1 ? truthy(a.get(1)) : truthy(kw.get("first"));
                    boolean blank = a.size() > 2 ? truthy(a.get(2)) : truthy(kw.get("blank"));
                    String pad = " ".repeat((int) width);
                    String s = str(v);
                    String[] lines = s.split("\n", -1);
                    StringBuilder sb = new StringBuilder();
                    for (int k = 0; k < lines.length; k++) {
                        if (k > 0) {
                            sb.append('\n');
                        }
                        boolean indent = (k > 0 || first) && (blank || !lines[k].isBlank());
                        sb.append(indent ? pad : "").append(lines[k]);
                    }
                    return sb.toString();
                }
                case "wordcount" -> {
                    return (long) split(str(v), null, -1).size();
                }
                default -> throw new TemplateError("no filter named '" + name + "'");
            }
        }

        static boolean test(String name, Object v, List<Object> a) {
            return switch (name) {
                case "defined" -> !(v instanceof Undefined);
                case "undefined" -> v instanceof Undefined;
                case "none" -> v == null;
                case "string" -> v instanceof String;
                case "number" -> v instanceof Long || v instanceof Double;
                case "integer" -> v instanceof Long;
                case "float" -> v instanceof Double;
                case "boolean" -> v instanceof Boolean;
                case "true" -> Boolean.TRUE.equals(v);
                case "false" -> Boolean.FALSE.equals(v);
                case "mapping" -> v instanceof Map;
                case "sequence" -> v instanceof List || v instanceof String || v instanceof Map;
                case "iterable" -> v instanceof List || v instanceof String || v instanceof Map || v instanceof Collection;
                case "callable" -> v instanceof Callable;
                case "odd" -> toLong(v) % 2 != 0;
                case "even" -> toLong(v) % 2 == 0;
                case "divisibleby" -> toLong(v) % toLong(a.get(0)) == 0;
                case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
                case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
                case "sameas" -> v == a.get(0) || (v != null && v.equals(a.get(0)) && v instanceof Boolean);
                case "eq", "equalto", "==" -> pyEquals(v, a.get(0));
                case "ne", "!=" -> !pyEquals(v, a.get(0));
                case "in" -> contains(a.get(0), v);
                case "gt", ">" -> truthy(compare(">", v, a.get(0)));
                case "ge", ">=" -> truthy(compare(">=", v, a.get(0)));
                case "lt", "<" -> truthy(compare("<", v, a.get(0)));
                case "le", "<=" -> truthy(compare("<=", v, a.get(0)));
                case "escaped" -> false;
                default -> throw new TemplateError("no test named '" + name + "'");
            };
        }
    }

    /** Python's {@code json.dumps(ensure_ascii=False)} as transformers' {@code tojson} filter calls it. */
    static final class Json {
        private Json() {
        }

        static void write(StringBuilder sb, Object v, int indent, int depth, boolean sortKeys, boolean ascii) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Boolean b) {
                sb.append(b ? "true" : "false");
            } else if (v instanceof Long l) {
                sb.append(l);
            } else if (v instanceof Double d) {
                sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
            } else if (v instanceof String s) {
                string(sb, s, ascii);
            } else if (v instanceof Undefined u) {
                throw u.error();
            } else if (v instanceof Namespace ns) {
                write(sb, ns.attrs, indent, depth, sortKeys, ascii);
            } else if (v instanceof List<?> l) {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) {
                        sb.append(indent >= 0 ? "," : ", ");
                    }
                    newline(sb, indent, depth + 1);
                    write(sb, l.get(k), indent, depth + 1, sortKeys, ascii);
                }
                newline(sb, indent, depth);
                sb.append(']');
            } else if (v instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                if (sortKeys) {
                    entries.sort((x, y) -> str(x.getKey()).compareTo(str(y.getKey())));
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : entries) {
                    if (!first) {
                        sb.append(indent >= 0 ? "," : ", ");
                    }
                    first = false;
                    newline(sb, indent, depth + 1);
                    Object k = e.getKey();
                    string(sb, k instanceof String s ? s : k instanceof Boolean b ? (b ? "true" : "false") : k == null ? "null" : str(k), ascii);
                    sb.append(": ");
                    write(sb, e.getValue(), indent, depth + 1, sortKeys, ascii);
                }
                newline(sb, indent, depth);
                sb.append('}');
            } else {
                throw new TemplateError("Object of type " + typeName(v) + " is not JSON serializable");
            }
        }

        private static void newline(StringBuilder sb, int indent, int depth) {
            if (indent >= 0) {
                sb.append('\n').append(" ".repeat(indent * depth));
            }
        }

        static void string(StringBuilder sb, String s, boolean ascii) {
            sb.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        if (c < 0x20 || (ascii && c > 0x7e)) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
