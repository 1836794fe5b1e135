package org.nnpost.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The flags of one command: a table that gives Commons CLI its options and the usage text its
 * groups, a parser that merges an optional JSON config file under the flags, and typed getters
 * that turn every bad value into a one-line {@link UsageException}.
 *
 * <p>Every value travels as text, whether it came from a flag or from the file, so a value is
 * checked by the same code wherever it came from; only the name in the message differs
 * ("--N" or "N (in run.json)").
 */
final class Flags {

    /**
     * One flag. {@code arg} null makes a switch; {@code defaultText} null shows no default.
     * The flag's name without dashes is also its key in a config file.
     */
    record Flag(String name, String group, String arg, String defaultText, String help) {
        boolean isSwitch() { return arg == null; }
    }

    static Flag flag(String name, String group, String arg, String defaultText, String help) {
        return new Flag(name, group, arg, defaultText, help);
    }

    static Flag toggle(String name, String group, String help) {
        return new Flag(name, group, null, null, help);
    }

    static final String HELP = "help";
    static final String CONFIG = "config";

    private final String command;
    private final List<Flag> flags;
    private final Map<String, Flag> byName = new LinkedHashMap<>();

    Flags(String command, List<Flag> flags) {
        this.command = command;
        this.flags = List.copyOf(flags);
        for (Flag f : this.flags) byName.put(f.name(), f);
    }

    private Options options() {
        Options o = new Options();
        for (Flag f : flags) {
            Option.Builder b = Option.builder().longOpt(f.name()).desc(f.help());
            if (!f.isSwitch()) b.hasArg().argName(f.arg());
            o.addOption(b.get());
        }
        return o;
    }

    /** Parses the command line (and the config file it names); the result is not yet checked. */
    Values parse(String[] args) {
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).get().parse(options(), args);
        } catch (UnrecognizedOptionException e) {
            throw new UsageException("unknown flag " + e.getOption() + " (see nnpost " + command + " --help)");
        } catch (MissingArgumentException e) {
            Flag f = byName.get(e.getOption().getLongOpt());
            throw new UsageException("--" + f.name() + " needs a value (allowed: <" + f.arg() + "> after the flag)");
        } catch (ParseException e) {
            throw new UsageException(oneLine(e.getMessage()) + " (see nnpost " + command + " --help)");
        }
        if (!cl.getArgList().isEmpty())
            throw new UsageException("unexpected argument \"" + cl.getArgList().get(0)
                    + "\": every value follows its flag (see nnpost " + command + " --help)");

        Map<String, String> given = new LinkedHashMap<>();
        for (Option o : cl.getOptions()) {
            String name = o.getLongOpt();
            if (given.containsKey(name))
                throw new UsageException("--" + name + " given twice" + (o.hasArg() ? ": " + given.get(name) + " and " + o.getValue() : "")
                        + " (allowed: once)");
            given.put(name, byName.get(name).isSwitch() ? "true" : o.getValue());
        }

        Values v = new Values();
        if (given.containsKey(CONFIG) && !given.containsKey(HELP)) readConfig(given.get(CONFIG), v);
        for (Map.Entry<String, String> e : given.entrySet()) v.put(e.getKey(), e.getValue(), "--" + e.getKey());
        return v;
    }

    private void readConfig(String file, Values v) {
        Path path = Path.of(file);
        String label = "--config " + file;
        if (!Files.exists(path)) throw new UsageException(label + ": no such file (allowed: a readable JSON file)");
        if (!Files.isRegularFile(path) || !Files.isReadable(path))
            throw new UsageException(label + ": cannot be read (allowed: a readable JSON file)");
        JsonNode root;
        try {
            ObjectMapper mapper = new ObjectMapper();
            mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            mapper.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            root = mapper.readTree(path.toFile());
        } catch (JsonParseException e) {
            throw new UsageException(label + ": not valid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + " (" + oneLine(e.getOriginalMessage()) + ")");
        } catch (JsonProcessingException e) {
            throw new UsageException(label + ": not valid JSON (" + oneLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw new UsageException(label + ": cannot be read (" + oneLine(String.valueOf(e.getMessage())) + ")");
        }
        if (root == null || !root.isObject())
            throw new UsageException(label + ": not a JSON object (allowed: {\"N\": 200, \"phi\": \"erf\", ...})");
        String where = " (in " + path.getFileName() + ")";
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            Flag f = byName.get(key);
            if (f == null || key.equals(CONFIG) || key.equals(HELP))
                throw new UsageException(label + ": unknown key \"" + key + "\" (allowed: " + configKeys() + ")");
            v.put(key, configText(key + where, e.getValue()), key + where);
        }
    }

    /** A JSON value as the text the same flag would carry: lists become comma lists. */
    private static String configText(String label, JsonNode n) {
        if (n.isNumber() || n.isTextual() || n.isBoolean()) return n.asText();
        if (n.isArray() && n.size() > 0) {
            List<String> parts = new ArrayList<>();
            for (JsonNode x : n) {
                if (!(x.isNumber() || x.isTextual())) break;
                parts.add(x.asText());
            }
            if (parts.size() == n.size()) return String.join(",", parts);
        }
        throw new UsageException(label + " " + oneLine(n.toString())
                + ": wrong type (allowed: a number, a string, true/false, or a list of numbers)");
    }

    private String configKeys() {
        List<String> keys = new ArrayList<>();
        for (Flag f : flags) if (!f.name().equals(CONFIG) && !f.name().equals(HELP)) keys.add(f.name());
        return String.join(", ", keys);
    }

    /** The usage text: a synopsis, a paragraph, then the flags in their groups. */
    String usage(String synopsis, String intro) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ").append(synopsis).append('\n');
        if (!intro.isEmpty()) sb.append('\n').append(intro).append('\n');
        String group = null;
        for (Flag f : flags) {
            if (!f.group().equals(group)) {
                group = f.group();
                sb.append('\n').append(group).append('\n');
            }
            String left = "  --" + f.name() + (f.isSwitch() ? "" : " <" + f.arg() + ">");
            sb.append(left);
            sb.append(" ".repeat(Math.max(2, 30 - left.length())));
            sb.append(f.help());
            if (f.defaultText() != null) sb.append(" [").append(f.defaultText()).append(']');
            sb.append('\n');
        }
        return sb.toString();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** The merged values of one invocation, each with the name to use for it in messages. */
    static final class Values {
        private final Map<String, String> value = new LinkedHashMap<>();
        private final Map<String, String> label = new LinkedHashMap<>();

        void put(String name, String v, String how) {
            value.put(name, v);
            label.put(name, how);
        }

        boolean has(String name) { return value.containsKey(name); }

        String raw(String name) { return value.get(name); }

        /** How to name the input in a message: the flag, or the key and the file it came from. */
        String label(String name) { return label.getOrDefault(name, "--" + name); }

        UsageException bad(String name, String problem, String allowed) {
            String shown = has(name) ? " " + raw(name) : "";
            return new UsageException(label(name) + shown + ": " + problem + " (allowed: " + allowed + ")");
        }

        boolean isHelp() { return has(HELP) && switchValue(HELP); }

        boolean switchValue(String name) {
            if (!has(name)) return false;
            String s = raw(name).trim().toLowerCase(Locale.ROOT);
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
            throw bad(name, "not a switch value", "true or false");
        }

        String string(String name, String def) { return has(name) ? raw(name).trim() : def; }

        String choice(String name, String def, String... allowed) {
            String s = string(name, def);
            for (String a : allowed) if (a.equals(s)) return s;
            throw bad(name, "unknown value", String.join(", ", allowed));
        }

        long integer(String name, long def, long min, long max) {
            if (!has(name)) return def;
            String allowed = max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? "an integer >= " + min : "an integer from " + min + " to " + max;
            long x;
            try {
                x = Long.parseLong(raw(name).trim());
            } catch (NumberFormatException e) {
                throw bad(name, "not an integer", allowed);
            }
            if (x < min || x > max) throw bad(name, "out of range", allowed);
            return x;
        }

        double real(String name, double def) {
            if (!has(name)) return def;
            return parseReal(name, raw(name).trim(), "a finite number");
        }

        double positive(String name, double def) {
            double x = real(name, def);
            if (!(x > 0)) throw bad(name, "not positive", "a number > 0");
            return x;
        }

        double between(String name, double def, double lo, double hi) {
            double x = real(name, def);
            if (x < lo || x > hi) throw bad(name, "out of range", "a number from " + lo + " to " + hi);
            return x;
        }

        /** A comma list of finite numbers (one value is a list of one). */
        double[] reals(String name, double[] def, String allowed) {
            if (!has(name)) return def.clone();
            String[] parts = raw(name).split(",", -1);
            double[] x = new double[parts.length];
            for (int i = 0; i < parts.length; i++) x[i] = parseReal(name, parts[i].trim(), allowed);
            return x;
        }

        private double parseReal(String name, String s, String allowed) {
            double x;
            try {
                // Java also reads "NaN", "Infinity" and "1f"; none of them is a number a user means
                if (s.isEmpty() || !s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) throw new NumberFormatException();
                x = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw bad(name, "not a number", allowed);
            }
            if (!Double.isFinite(x)) throw bad(name, "not finite", allowed);
            return x;
        }
    }
}
