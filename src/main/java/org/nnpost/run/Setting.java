package org.nnpost.run;

/**
 * One setting of a run: its key (the flag's name without dashes, e.g. {@code sigma-w2}), the
 * group it is listed under, the form of its value ({@code arg}; null for a switch), the default
 * as the usage text shows it (null: none shown) and one line of help.
 *
 * <p>One spelling per setting: {@code --sigma-w2} on the command line, {@code sigma_w2} in every
 * file (config files, manifest.json, study files), so a manifest's parameters can be fed back as
 * a config file unchanged.
 */
public record Setting(String key, String group, String arg, String defaultText, String help) {

    public static Setting of(String key, String group, String arg, String defaultText, String help) {
        return new Setting(key, group, arg, defaultText, help);
    }

    public static Setting toggle(String key, String group, String help) {
        return new Setting(key, group, null, null, help);
    }

    public boolean isSwitch() { return arg == null; }

    /** The key as files spell it: dashes become underscores. */
    public String fileKey() { return fileKey(key); }

    public static String fileKey(String key) { return key.replace('-', '_'); }
}
