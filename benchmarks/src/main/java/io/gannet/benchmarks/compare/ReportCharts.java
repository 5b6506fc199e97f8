package io.gannet.benchmarks.compare;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Grouped bar charts of the comparison, one colour per broker, written as PNG. */
final class ReportCharts {
    private static final Map<String, Color> COLOURS = Map.of(
            "Mosquitto", new Color(0x3C, 0x5A, 0x99),
            "HiveMQ CE", new Color(0xE0, 0x8A, 0x1E),
            "Gannet", new Color(0x2E, 0x9E, 0x5B));

    private ReportCharts() {
    }

    /**
     * Writes one chart: for each category (a case, say) a bar per broker.
     *
     * @param values the broker's display name to its value per category, in category order; NaN where the broker
     *               has no figure
     */
    static void bars(Path file, String title, String yTitle, List<String> categories,
                     Map<String, List<Double>> values) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520).title(title).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
        chart.getStyler().setXAxisLabelRotation(0);
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        chart.getStyler().setDecimalPattern("#,##0.##");
        values.forEach((broker, series) -> {
            List<Double> shown = series.stream().map(v -> v.isNaN() ? 0.0 : v).toList();
            chart.addSeries(broker, categories, shown).setFillColor(COLOURS.getOrDefault(broker, Color.GRAY));
        });
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
