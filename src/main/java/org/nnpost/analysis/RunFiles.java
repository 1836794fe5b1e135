package org.nnpost.analysis;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.nnpost.io.Npy;
import org.nnpost.io.NpyException;
import org.nnpost.output.RunLayout;
import org.nnpost.spec.SpecException;

/**
 * A run directory read back: every file is checked against the run's {@link RunLayout} (which
 * follows from the settings its manifest records) before it is used, so a file that is missing,
 * truncated, of another element type or another shape ends the command with one line naming it
 * (exit code 2) instead of an exception from deep inside, or statistics of the wrong numbers.
 */
final class RunFiles {
    /** What the files are checked against, as messages say it. */
    static final String SOURCE = "as " + RunLayout.MANIFEST + " describes the run";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final RunLayout layout;

    RunFiles(Path dir, RunLayout layout) {
        this.dir = dir;
        this.layout = layout;
    }

    RunLayout layout() { return layout; }

    /**
     * Checks every file of the layout (headers and lengths only, which is cheap), so a damaged
     * directory is refused before anything is drawn into it.
     */
    void checkAll() {
        for (RunLayout.Entry e : layout.files()) {
            if (e.name().equals(RunLayout.MANIFEST)) continue;   // read and checked first, by whoever found the layout
            if (e.isArray()) check(e, describe(e));
            else json(e.name());
        }
    }

    /** An array of the run, read whole after checking its header against the layout. */
    Npy.Array array(String name) {
        RunLayout.Entry e = layout.get(name);
        check(e, describe(e));
        Path f = dir.resolve(name);
        try {
            return Npy.read(f);
        } catch (NpyException x) {   // changed since its header was read
            throw damaged(f, x.detail(), e);
        }
    }

    /** The labels of the training or test inputs, each checked to be a class of the run. */
    int[] labels(boolean test, int m) {
        String name = RunLayout.labels(test);
        long[] l = array(name).longs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= m)
                throw SpecException.input(dir.resolve(name).toString(), "label " + l[i] + " at index " + i,
                        "classes 0 to " + (m - 1) + ", " + SOURCE);
            out[i] = (int) l[i];
        }
        return out;
    }

    /** A JSON file of the run: it must exist and hold one JSON object. */
    JsonNode json(String name) {
        return readJson(dir.resolve(name), "the " + name + " nnpost sample writes");
    }

    /**
     * A JSON file that must hold one object: missing, unreadable, empty, truncated or malformed
     * files and other JSON values are refused in one line naming the file.
     *
     * @param allowed what the file should be, for the message
     */
    /** Whether a parse error's offset (in bytes, as a file is read) is at the end of the file. */
    private static boolean endsAt(Path f, long offset) {
        try {
            return offset >= 0 && offset >= Files.size(f) - 1;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static JsonNode readJson(Path f, String allowed) {
        if (!Files.exists(f)) throw SpecException.input(f.toString(), "missing", allowed);
        if (Files.isDirectory(f)) throw SpecException.input(f.toString(), "a directory, not a file", allowed);
        JsonNode root;
        try {
            root = MAPPER.readTree(f.toFile());
        } catch (JsonEOFException e) {
            throw SpecException.input(f.toString(), "truncated: the JSON ends at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + " before it is complete", allowed);
        } catch (JsonProcessingException e) {
            // a file cut in the middle of a number or a word fails there rather than at its end
            if (endsAt(f, e.getLocation().getByteOffset() >= 0 ? e.getLocation().getByteOffset() : e.getLocation().getCharOffset()))
                throw SpecException.input(f.toString(), "truncated: the JSON ends at line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + " before it is complete", allowed);
            throw SpecException.input(f.toString(), "not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + oneLine(e.getOriginalMessage()) + ")", allowed);
        } catch (NoSuchFileException e) {
            throw SpecException.input(f.toString(), "missing", allowed);
        } catch (AccessDeniedException e) {
            throw SpecException.input(f.toString(), "cannot be read (permission denied)", allowed);
        } catch (IOException e) {
            throw SpecException.input(f.toString(), "cannot be read (" + oneLine(e.getMessage()) + ")", allowed);
        }
        if (root == null || root.isMissingNode()) throw SpecException.input(f.toString(), "empty", allowed);
        if (!root.isObject()) throw SpecException.input(f.toString(), "not a JSON object", allowed);
        return root;
    }

    private Npy.Header describe(RunLayout.Entry e) {
        Path f = dir.resolve(e.name());
        try {
            return Npy.describe(f);
        } catch (NpyException x) {
            throw damaged(f, x.detail(), e);
        }
    }

    private void check(RunLayout.Entry e, Npy.Header h) {
        Path f = dir.resolve(e.name());
        if (h.dtype() != e.dtype()) throw damaged(f, "dtype " + Npy.Dtype.name(h.descr()), e);
        if (!Arrays.equals(h.shape(), e.shape())) throw damaged(f, "shape " + Arrays.toString(h.shape()), e);
        if (h.fortranOrder()) throw damaged(f, "Fortran order", e);
    }

    private static SpecException damaged(Path f, String problem, RunLayout.Entry e) {
        return SpecException.input(f.toString(), problem, e.describe() + (e.shape().length > 1 ? " in C order" : "") + ", " + SOURCE);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
