package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnpost report}: a real tiny run's report.html is self-contained, and headless Chromium
 * (Debian's chromium or chromium-headless-shell, which .ci/run installs) loads it with no console
 * message, every image decoded (the page's own check sets data-images="ok"), and a screenshot
 * that is not blank; the screenshot is kept as target/report-screenshot/report.png.
 */
class ReportTest {
    @TempDir Path tmp;

    static Path chromium() {
        for (String c : new String[]{"/usr/bin/chromium", "/usr/bin/chromium-headless-shell", "/usr/lib/chromium/chromium"})
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        return null;
    }

    record Browser(int code, String stdout, String stderr) {}

    /** Headless Chromium on a page, as root needs it (--no-sandbox), nothing from the network, console on stderr. */
    Browser browse(Path chrome, Path page, String... what) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chrome.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(tmp, "chrome"),
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"));
        cmd.addAll(List.of(what));
        cmd.add(page.toUri().toString());
        Path out = tmp.resolve("out-" + System.nanoTime()), err = tmp.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s: " + Files.readString(err));
        }
        return new Browser(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static List<String> console(String stderr) {
        return stderr.lines().filter(l -> l.contains(":CONSOLE")).toList();
    }

    @Test
    void reportIsSelfContainedAndChromiumShowsItWhole() throws Exception {
        Path dir = tmp.resolve("run");
        Cli.Result s = Cli.run("sample", "--N", "16", "--N0", "12", "--P", "10", "--Ptest", "6", "--class-ratios", "0.5,0.25,0.25",
                "--L", "1", "--phi", "linear", "--chains", "2", "--steps", "300", "--burn-in", "100", "--every", "4", "--keep", "3",
                "--threads", "1", "--progress", "off", "--out", dir.toString());
        assertEquals(0, s.code(), s.err());
        Cli.Result r = Cli.run("report", dir.toString());
        assertEquals(0, r.code(), r.err());
        Path page = dir.resolve("report.html");
        String html = Files.readString(page, StandardCharsets.UTF_8);
        for (String section : new String[]{"Warnings", "Settings", "Traces: summary and convergence", "Errors per class", "Coding scheme",
                "Theory beside sampling", "Panels", "hdi_3%", "mcse_mean", "one draw (kept draw 2"})
            assertTrue(html.contains(section), "report.html lacks " + section);
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "report.html refers to the network");
        int images = html.split("<img ", -1).length - 1;
        assertTrue(images >= 10, images + " images");

        Path chrome = chromium();
        Assumptions.assumeTrue(chrome != null, "no chromium or chromium-headless-shell (apt-get install chromium)");
        Browser dom = browse(chrome, page, "--dump-dom");
        assertEquals(0, dom.code(), dom.stderr());
        assertEquals(List.of(), console(dom.stderr()), "console messages");
        assertTrue(dom.stdout().contains("data-images=\"ok\""), "not every image decoded: "
                + dom.stdout().replaceAll("(?s).*(<title>.*?</title>).*", "$1"));
        assertTrue(dom.stdout().contains("data-image-count=\"" + images + "\""), "image count");

        Path shotDir = Files.createDirectories(Path.of("target/report-screenshot"));
        Path shot = shotDir.resolve("report.png");
        Files.deleteIfExists(shot);
        Browser sc = browse(chrome, page, "--screenshot=" + shot.toAbsolutePath(), "--window-size=1280,2000", "--hide-scrollbars");
        assertEquals(0, sc.code(), sc.stderr());
        assertEquals(List.of(), console(sc.stderr()), "console messages");
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img, "screenshot");
        assertEquals(1280, img.getWidth());
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y += 2)
            for (int x = 0; x < img.getWidth(); x += 2) {
                int c = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(c);
                if (c != 0xFFFFFF) ink++;
            }
        double f = ink / (img.getWidth() / 2.0 * img.getHeight() / 2.0);
        assertTrue(colours.size() > 50, colours.size() + " colours: a blank page?");
        assertTrue(f > 0.02 && f < 0.9, "non-white fraction " + f);
        Files.copy(page, shotDir.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The console check sees what it looks for: a page that logs an error and throws is caught. */
    @Test
    void theConsoleCheckCatchesAnError() throws Exception {
        Path chrome = chromium();
        Assumptions.assumeTrue(chrome != null, "no chromium or chromium-headless-shell (apt-get install chromium)");
        Path bad = tmp.resolve("bad.html");
        Files.writeString(bad, "<html><body><script>console.error('boom'); throw new Error('uncaught');</script></body></html>");
        List<String> lines = console(browse(chrome, bad, "--dump-dom").stderr());
        assertEquals(2, lines.size(), lines.toString());
    }
}
