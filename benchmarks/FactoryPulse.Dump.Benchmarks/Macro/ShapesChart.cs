using System.Globalization;
using ScottPlot;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>PNG of the three-shape table: per shape and phase, fpdump (orange) and its peer (blue), medians with peak RSS.</summary>
internal static class ShapesChart
{
    private const string Font = "DejaVu Sans";

    public static void Save(string path, ShapesReport report)
    {
        var rows = report.Rows().ToList();
        var plot = new Plot();
        plot.Font.Set(Font);
        var bars = new List<Bar>();
        var tickPositions = new List<double>();
        var tickLabels = new List<string>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            // Rows top to bottom in table order; fpdump's bar above its peer's.
            var basePosition = (rows.Count - 1 - i) * 3.0;
            bars.Add(MakeBar(basePosition + 1, row.Fpdump, Colors.DarkOrange));
            bars.Add(MakeBar(basePosition, row.Peer, Colors.SteelBlue));
            tickPositions.Add(basePosition + 1);
            tickLabels.Add($"{row.Shape.Dataset.Name} {row.Phase.ToString().ToLowerInvariant()}: {row.Fpdump.Name}");
            tickPositions.Add(basePosition);
            tickLabels.Add(string.Create(CultureInfo.InvariantCulture, $"{row.Peer.Name} (ratio {(row.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "—")}, target ≤ {row.Target:0.0#})"));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontName = Font;
        barPlot.ValueLabelStyle.FontSize = 13;
        plot.Axes.Left.SetTicks([.. tickPositions], [.. tickLabels]);
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.Margins(left: 0, right: 0.45, bottom: 0.04, top: 0.04);
        plot.XLabel("seconds (median of " + report.Options.Runs.ToString(CultureInfo.InvariantCulture) + ", lower is better; each shape on its own scale would be fairer: see the table)");
        plot.Title($"fpdump vs pg_dump / pg_restore — three shapes, {report.Machine.Cores} cores");
        plot.Grid.MajorLineColor = Colors.LightGray;
        plot.SavePng(path, 1400, 140 + 60 * rows.Count * 2);
    }

    private static Bar MakeBar(double position, MacroTool tool, Color color) => new()
    {
        Position = position,
        Value = tool.MedianSeconds ?? 0,
        FillColor = color,
        Label = tool.MedianSeconds is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"{s.ToString(s < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture)} s · {(tool.MedianPeakRss ?? 0) / 1e6:0} MB RSS")
            : "failed",
    };
}
