package org.nnpost.report;

import java.util.List;

/**
 * The pieces of a self-contained HTML page: escaping, tables, figures with inline images, and the
 * page shell with its style and a check that every image decoded (the page's title ends with
 * "images ok", or "images failed: N", and body carries data-images="ok"), for a headless browser
 * to read back. Nothing is fetched from the network.
 */
public final class Html {
    private Html() {}

    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray())
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        return b.toString();
    }

    /** A table: a header row and rows of cells already escaped (so a cell may hold markup). */
    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table>\n");
        if (header.stream().anyMatch(h -> !h.isEmpty())) {
            b.append("<tr>");
            for (String h : header) b.append("<th>").append(h).append("</th>");
            b.append("</tr>\n");
        }
        for (List<String> r : rows) {
            b.append("<tr>");
            for (String c : r) b.append("<td>").append(c).append("</td>");
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    /** An inline PNG with its caption. */
    public static String figure(String base64Png, String alt, String caption) {
        return "<figure><img src=\"data:image/png;base64," + base64Png + "\" alt=\"" + esc(alt) + "\">"
                + "<figcaption>" + esc(caption) + "</figcaption></figure>\n";
    }

    /** The page: a title, and sections of body markup. */
    public static String page(String title, List<String> sections) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(esc(title)).append("</h1>\n");
        for (String s : sections) b.append(s);
        b.append("<script>\n").append(CHECK).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    static final String STYLE = """
            body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
            h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
            th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
            .bad { background: #fde0d6; } .ok { background: #e3f4ea; } .note { color: #555; }
            .warnings li { color: #8a3b00; }
            .panels { display: flex; flex-wrap: wrap; gap: 1.2em; }
            figure { margin: 0; max-width: 560px; } figure img { max-width: 100%; border: 1px solid #eee; }
            figcaption { font-size: 0.88em; color: #444; }
            """;

    /** Sets the title and a body attribute once every image has loaded, or says how many failed. */
    static final String CHECK = """
            window.addEventListener('load', function () {
              var imgs = Array.prototype.slice.call(document.images);
              var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
              document.body.setAttribute('data-images', bad === 0 ? 'ok' : 'failed');
              document.body.setAttribute('data-image-count', String(imgs.length));
              document.title = document.title + (bad === 0 ? ' - images ok' : ' - images failed: ' + bad);
            });
            """;
}
