package dev.cerebrum.bench;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The PNG chart of throughput and latency against concurrency, drawn headless. */
final class Chart {
    static final int WIDTH = 900;
    static final int HEIGHT = 520;

    private Chart() {
    }

    /** Writes the chart of {@code levels} to {@code file}. */
    static void write(Path file, List<ConcurrencyLevel> levels, String subtitle) {
        System.setProperty("java.awt.headless", "true");
        XYSeries aggregate = new XYSeries("aggregate tokens/s (left)");
        XYSeries reference = new XYSeries("reference aggregate tokens/s, de.kherud in-process (left)");
        XYSeries perStream = new XYSeries("per-stream decode tokens/s (left)");
        XYSeries ttft50 = new XYSeries("time to first token p50, ms (right)");
        XYSeries ttft99 = new XYSeries("time to first token p99, ms (right)");
        XYSeries queue50 = new XYSeries("queue wait p50, ms (right)");
        for (ConcurrencyLevel l : levels) {
            add(aggregate, l.streams(), l.aggregate().median());
            add(reference, l.streams(), l.rawAggregateSummary().median());
            add(perStream, l.streams(), l.perStreamDecode().median());
            add(ttft50, l.streams(), l.ttftMs().median());
            add(ttft99, l.streams(), l.ttftMs().p99());
            add(queue50, l.streams(), l.queueMs().median());
        }
        XYSeriesCollection throughput = new XYSeriesCollection();
        throughput.addSeries(aggregate);
        throughput.addSeries(reference);
        throughput.addSeries(perStream);
        XYSeriesCollection latency = new XYSeriesCollection();
        latency.addSeries(ttft50);
        latency.addSeries(ttft99);
        latency.addSeries(queue50);

        save(file, "Throughput and latency against concurrency", subtitle, throughput, latency,
                new Color[]{new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x17becf)},
                new Color[]{new Color(0xd62728), new Color(0xff7f0e), new Color(0x7f7f7f)});
    }

    /**
     * Writes the peer comparison's chart: aggregate tokens/s and time to first token p50/p99 against concurrent
     * streams, for the ffm engine over HTTP and for llama-server ({@code peer} null when it was skipped).
     */
    static void writePeer(Path file, PeerFigures ours, PeerFigures peer, String subtitle) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection throughput = new XYSeriesCollection();
        XYSeriesCollection latency = new XYSeriesCollection();
        for (PeerFigures f : peer == null ? List.of(ours) : List.of(ours, peer)) {
            XYSeries aggregate = new XYSeries(f.server() + ": aggregate tokens/s (left)");
            XYSeries ttft50 = new XYSeries(f.server() + ": time to first token p50, ms (right)");
            XYSeries ttft99 = new XYSeries(f.server() + ": time to first token p99, ms (right)");
            for (ConcurrencyLevel l : f.levels()) {
                add(aggregate, l.streams(), l.aggregate().median());
                add(ttft50, l.streams(), l.ttftMs().median());
                add(ttft99, l.streams(), l.ttftMs().p99());
            }
            throughput.addSeries(aggregate);
            latency.addSeries(ttft50);
            latency.addSeries(ttft99);
        }
        // Each server in its own hue: Cerebrum blue, llama-server green; p99 lighter than p50.
        save(file, "ffm engine over HTTP and llama-server against concurrency", subtitle, throughput, latency,
                new Color[]{new Color(0x1f77b4), new Color(0x2ca02c)},
                new Color[]{new Color(0x0b3c6e), new Color(0x6baed6), new Color(0x146b14), new Color(0x98df8a)});
    }

    /** Tokens/s on the left axis (solid lines), milliseconds on the right (dashed), saved as a PNG. */
    private static void save(Path file, String title, String subtitle, XYSeriesCollection throughput,
                             XYSeriesCollection latency, Color[] throughputColors, Color[] latencyColors) {
        NumberAxis streams = new NumberAxis("concurrent streams");
        streams.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis tokens = new NumberAxis("tokens/s");
        NumberAxis millis = new NumberAxis("ms");
        XYLineAndShapeRenderer left = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < throughputColors.length; i++) {
            left.setSeriesPaint(i, throughputColors[i]);
        }
        XYLineAndShapeRenderer right = new XYLineAndShapeRenderer(true, true);
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f);
        for (int i = 0; i < latencyColors.length; i++) {
            right.setSeriesPaint(i, latencyColors[i]);
            right.setSeriesStroke(i, dashed);
        }
        XYPlot plot = new XYPlot(throughput, streams, tokens, left);
        plot.setRangeAxis(1, millis);
        plot.setDataset(1, latency);
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, right);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        try {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file, e);
        }
    }

    private static void add(XYSeries series, int x, double y) {
        if (Double.isFinite(y)) {
            series.add(x, y);
        }
    }
}
