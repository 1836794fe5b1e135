package org.nnpost.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

import org.nnpost.run.Setting;
import org.nnpost.run.Settings;

/**
 * The flags of one command: a table of {@link Setting}s that gives Commons CLI its options and
 * the usage text its groups, and a parser that merges an optional JSON config file under the
 * flags into {@link Settings}, where every value is checked by the same code whether it came
 * from a flag or from the file; only the name in the message differs ("--N" or "N (in run.json)").
 */
final class Flags {

    static Setting flag(String name, String group, String arg, String defaultText, String help) {
        return Setting.of(name, group, arg, defaultText, help);
    }

    static Setting toggle(String name, String group, String help) {
        return Setting.toggle(name, group, help);
    }

    static final String HELP = "help";
    static final String CONFIG = "config";

    private final String command;
    private final List<Setting> flags;
    private final Map<String, Setting> byName = new LinkedHashMap<>();

    Flags(String command, List<Setting> flags) {
        this.command = command;
        this.flags = List.copyOf(flags);
        for (Setting f : this.flags) byName.put(f.key(), f);
    }

    /** This command's flags followed by more (shared groups, say). */
    static List<Setting> join(List<Setting> first, List<Setting> more) {
        List<Setting> all = new ArrayList<>(first);
        all.addAll(more);
        return all;
    }

    private Options options() {
        Options o = new Options();
        for (Setting f : flags) {
            Option.Builder b = Option.builder().longOpt(f.key()).desc(f.help());
            if (!f.isSwitch()) b.hasArg().argName(f.arg());
            o.addOption(b.get());
        }
        return o;
    }

    /** Parses the command line (and the config file it names); the result is not yet checked. */
    Settings parse(String[] args) {
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).get().parse(options(), args);
        } catch (UnrecognizedOptionException e) {
            throw new UsageException("unknown flag " + e.getOption() + " (see nnpost " + command + " --help)");
        } catch (MissingArgumentException e) {
            Setting f = byName.get(e.getOption().getLongOpt());
            throw new UsageException("--" + f.key() + " needs a value (allowed: <" + f.arg() + "> after the flag)");
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

        Settings v = new Settings();
        if (given.containsKey(CONFIG) && !given.containsKey(HELP)) readConfig(given.get(CONFIG), v);
        for (Map.Entry<String, String> e : given.entrySet()) v.put(e.getKey(), e.getValue(), "--" + e.getKey());
        return v;
    }

    private void readConfig(String file, Settings v) {
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
        List<Setting> keys = new ArrayList<>();
        for (Setting f : flags) if (!f.key().equals(CONFIG) && !f.key().equals(HELP)) keys.add(f);
        v.putJson(root, path.getFileName().toString(), keys, label);
    }

    /** The usage text: a synopsis, a paragraph, then the flags in their groups. */
    String usage(String synopsis, String intro) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ").append(synopsis).append('\n');
        if (!intro.isEmpty()) sb.append('\n').append(intro).append('\n');
        String group = null;
        for (Setting f : flags) {
            if (!f.group().equals(group)) {
                group = f.group();
                sb.append('\n').append(group).append('\n');
            }
            String left = "  --" + f.key() + (f.isSwitch() ? "" : " <" + f.arg() + ">");
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

    /** True when --help was given. */
    static boolean isHelp(Settings v) { return v.has(HELP) && v.switchValue(HELP); }
}
