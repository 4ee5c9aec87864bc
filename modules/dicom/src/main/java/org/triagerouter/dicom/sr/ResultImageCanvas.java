package org.triagerouter.dicom.sr;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.triagerouter.dicom.RouterVersion;
import org.triagerouter.dicom.pixels.AreaDownscale;
import org.triagerouter.dicom.pixels.Gray8Image;

/**
 * The result image's pixels: the deciding image fitted into a square on the left, and the result in large text on a dark
 * panel to its right, 8-bit grayscale (0 black). Landscape, because viewers fit an image to a landscape viewport.
 */
final class ResultImageCanvas {
    static {
        // Only ever drawn into memory: never look for an X server.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final int HEIGHT = 768;
    static final int IMAGE_WIDTH = 768;
    static final int PANEL_WIDTH = 640;
    static final int WIDTH = IMAGE_WIDTH + PANEL_WIDTH;
    static final int PANEL_BACKGROUND = 40;
    static final int MARGIN = 32;
    /** White space between two lines' boxes: each line stays a band of its own. */
    static final int LINE_GAP = 14;
    private static final int BOX_PADDING = 8;
    private static final float SMALLEST_SIZE = 12f;

    private ResultImageCanvas() {}

    /** One line of the panel; a boxed line is drawn black on white (the category of an abnormal result, the warning). */
    record Line(String text, float size, boolean bold, boolean boxed, int gray) {}

    /** What the panel says, top to bottom; the last line sits at the bottom of the panel. */
    static List<Line> lines(TriageResult r, LocalDateTime now) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("AI TRIAGE RESULT", 26, true, false, 170));
        lines.add(new Line(r.category() == null ? "-" : r.category(), 84, true, r.abnormal(), 255));
        lines.add(new Line("Score " + (Double.isNaN(r.score()) ? "-" : String.format(Locale.ROOT, "%.2f", r.score())), 46, false, false, 255));
        lines.add(new Line("Priority " + (r.priority() == null ? "-" : r.priority()), 46, true, false, 255));
        lines.add(new Line("Operating point " + r.operatingPoint()
                + (Double.isNaN(r.threshold()) ? "" : String.format(Locale.ROOT, ", threshold %.3f", r.threshold())), 22, false, false, 200));
        lines.add(new Line("Model " + r.modelId(), 32, false, false, 255));
        lines.add(new Line("Version " + r.modelVersion(), 32, false, false, 255));
        lines.add(new Line(r.revision() > 1 ? "Revision " + r.revision() + ", replaces revision " + (r.revision() - 1)
                : "Revision " + r.revision(), 32, false, false, 255));
        lines.add(new Line("Written " + now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), 22, false, false, 200));
        if (r.notForDiagnosticUse()) {
            lines.add(new Line("NOT FOR DIAGNOSTIC USE", 44, true, true, 255));
            lines.add(new Line(r.demoModel() ? "Demo model: its scores mean nothing" : "Model not intended for clinical use", 26, true,
                    false, 255));
        }
        lines.add(new Line("Triage Router " + RouterVersion.VERSION + "  |  downscaled copy: read the original images", 18, false,
                false, 150));
        return lines;
    }

    /** The canvas, row-major, {@link #WIDTH} x {@link #HEIGHT} bytes. */
    static byte[] render(TriageResult result, Gray8Image deciding, LocalDateTime now) throws IOException {
        if (deciding != null && (deciding.width() <= 0 || deciding.height() <= 0
                || deciding.pixels().length != deciding.width() * deciding.height())) {
            throw new IllegalArgumentException("deciding image of " + deciding.width() + "x" + deciding.height() + " has "
                    + deciding.pixels().length + " pixels");
        }
        BufferedImage canvas = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, IMAGE_WIDTH, HEIGHT);
            g.setColor(gray(PANEL_BACKGROUND));
            g.fillRect(IMAGE_WIDTH, 0, PANEL_WIDTH, HEIGHT);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            if (deciding != null) {
                drawImage(g, canvas, deciding);
            } else {
                drawCentred(g, "No image to show", 30, 140);
            }
            drawPanel(g, lines(result, now));
        } catch (RuntimeException | LinkageError | InternalError e) {
            // What a JRE without fontconfig or any font throws on the first text drawn.
            throw new IOException("cannot draw the result image's text (no usable font? install fontconfig and a font such as "
                    + "fonts-dejavu-core): " + e, e);
        } finally {
            g.dispose();
        }
        byte[] pixels = new byte[WIDTH * HEIGHT];
        int[] rgb = canvas.getRGB(0, 0, WIDTH, HEIGHT, null, 0, WIDTH);
        // Everything drawn is gray (R = G = B): one channel is the value.
        for (int i = 0; i < rgb.length; i++) pixels[i] = (byte) (rgb[i] >> 8);
        return pixels;
    }

    /** Where the deciding image lands: fitted into the left square, centred, aspect ratio kept. */
    static java.awt.Rectangle imageBounds(Gray8Image image) {
        double scale = Math.min((double) IMAGE_WIDTH / image.width(), (double) HEIGHT / image.height());
        int w = Math.max(1, Math.min(IMAGE_WIDTH, (int) Math.round(image.width() * scale)));
        int h = Math.max(1, Math.min(HEIGHT, (int) Math.round(image.height() * scale)));
        return new java.awt.Rectangle((IMAGE_WIDTH - w) / 2, (HEIGHT - h) / 2, w, h);
    }

    private static void drawImage(Graphics2D g, BufferedImage canvas, Gray8Image image) {
        java.awt.Rectangle to = imageBounds(image);
        if (to.width <= image.width()) {
            // Reduce as the canonical renderer does (area averaging), so fine structure does not alias.
            float[] source = new float[image.pixels().length];
            for (int i = 0; i < source.length; i++) source[i] = image.pixels()[i] & 0xff;
            float[] fitted = AreaDownscale.resize(source, image.width(), image.height(), to.width, to.height);
            for (int y = 0; y < to.height; y++) {
                for (int x = 0; x < to.width; x++) {
                    int v = Math.max(0, Math.min(255, Math.round(fitted[y * to.width + x])));
                    canvas.setRGB(to.x + x, to.y + y, v * 0x010101);
                }
            }
        } else {
            BufferedImage source = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < image.pixels().length; i++) {
                source.setRGB(i % image.width(), i / image.width(), (image.pixels()[i] & 0xff) * 0x010101);
            }
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, to.x, to.y, to.width, to.height, null);
        }
    }

    private static void drawCentred(Graphics2D g, String text, float size, int gray) {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 1).deriveFont(size);
        g.setFont(font);
        g.setColor(gray(gray));
        FontMetrics m = g.getFontMetrics();
        g.drawString(text, (IMAGE_WIDTH - m.stringWidth(text)) / 2, (HEIGHT + m.getAscent() - m.getDescent()) / 2);
    }

    /** Lines from the top, the last at the bottom; all sizes scaled down together should they not fit. */
    private static void drawPanel(Graphics2D g, List<Line> lines) {
        int left = IMAGE_WIDTH + MARGIN, width = PANEL_WIDTH - 2 * MARGIN;
        float scale = 1f;
        List<Font> fonts;
        while (true) {
            fonts = new ArrayList<>();
            int height = 0;
            for (Line line : lines) {
                Font font = fit(g, line, scale, width);
                fonts.add(font);
                height += lineHeight(g, font, line) + LINE_GAP;
            }
            if (height - LINE_GAP <= HEIGHT - 2 * MARGIN || scale < 0.5f) break;
            scale *= 0.95f;
        }
        int y = MARGIN;
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            Font font = fonts.get(i);
            if (i == lines.size() - 1) y = HEIGHT - MARGIN - lineHeight(g, font, line);
            drawLine(g, line, font, left, y, width);
            y += lineHeight(g, font, line) + LINE_GAP;
        }
    }

    private static Font fit(Graphics2D g, Line line, float scale, int width) {
        Font font = new Font(Font.SANS_SERIF, line.bold() ? Font.BOLD : Font.PLAIN, 1).deriveFont(line.size() * scale);
        int room = width - (line.boxed() ? 2 * BOX_PADDING : 0);
        int textWidth = g.getFontMetrics(font).stringWidth(line.text());
        if (textWidth > room) font = font.deriveFont(Math.max(SMALLEST_SIZE, font.getSize2D() * room / textWidth));
        return font;
    }

    private static int lineHeight(Graphics2D g, Font font, Line line) {
        FontMetrics m = g.getFontMetrics(font);
        return m.getAscent() + m.getDescent() + (line.boxed() ? 2 * BOX_PADDING : 0);
    }

    private static void drawLine(Graphics2D g, Line line, Font font, int left, int top, int width) {
        g.setFont(font);
        FontMetrics m = g.getFontMetrics();
        int padding = line.boxed() ? BOX_PADDING : 0;
        String text = line.text();
        // Too long even at the smallest size (a very long model id): cut, visibly.
        while (text.length() > 4 && m.stringWidth(text) > width - 2 * padding) text = text.substring(0, text.length() - 4) + "...";
        if (line.boxed()) {
            g.setColor(gray(line.gray()));
            g.fillRect(left, top, m.stringWidth(text) + 2 * padding, lineHeight(g, font, line));
            g.setColor(Color.BLACK);
        } else {
            g.setColor(gray(line.gray()));
        }
        g.drawString(text, left + padding, top + padding + m.getAscent());
    }

    private static Color gray(int value) {
        return new Color(value, value, value);
    }
}
