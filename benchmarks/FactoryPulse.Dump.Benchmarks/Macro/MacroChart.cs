using System.Globalization;
using ScottPlot;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>PNG bar chart of the medians: dump on top, restore below; fpdump orange, peers blue, the raw COPY grey.</summary>
internal static class MacroChart
{
    private const string Font = "DejaVu Sans";

    public static void Save(string path, MacroReport report)
    {
        var panels = new List<(string Title, IReadOnlyList<MacroTool> Tools)>
        {
            ("Dump", report.DumpTools),
        };
        if (report.RestoreTools.Count > 0)
            panels.Add(("Restore into an empty database", report.RestoreTools));
        if (report.CopyTools.Count > 0)
            panels.Add(("Copy database to database", report.CopyTools));

        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        var dataset = report.Dataset.Name == "fixture"
            ? $"fixture scale {report.Options.EffectiveScale}"
            : $"synthetic, {report.Options.Rows:N0} rows";
        for (var p = 0; p < panels.Count; p++)
        {
            var (title, tools) = panels[p];
            var plot = multiplot.GetPlot(p);
            plot.Font.Set(Font);
            var bars = new List<Bar>();
            var positions = new double[tools.Count];
            var labels = new string[tools.Count];
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                positions[i] = tools.Count - 1 - i;
                labels[i] = tool.Name;
                var median = tool.MedianSeconds;
                bars.Add(new Bar
                {
                    Position = positions[i],
                    Value = median ?? 0,
                    FillColor = tool.Kind switch
                    {
                        ToolKind.Fpdump or ToolKind.FpdumpLargestTable => Colors.DarkOrange,
                        ToolKind.Raw => Colors.Gray,
                        ToolKind.Overhead => Colors.LightGray,
                        _ => Colors.SteelBlue,
                    },
                    Label = median is { } s
                        ? string.Create(CultureInfo.InvariantCulture, $"{s.ToString(s < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture)} s · {(tool.MedianPeakRss ?? 0) / 1e6:0} MB RSS{(tool.ArchiveBytes is { } a ? $" · {a / 1e6:0.#} MB archive" : "")}")
                        : "failed",
                });
            }

            var barPlot = plot.Add.Bars(bars);
            barPlot.Horizontal = true;
            barPlot.ValueLabelStyle.FontName = Font;
            barPlot.ValueLabelStyle.FontSize = 13;
            plot.Axes.Left.SetTicks(positions, labels);
            plot.Axes.Left.TickLabelStyle.FontSize = 13;
            plot.Axes.Left.MinimumSize = 290; // the same in both panels, so the bars line up
            plot.Axes.Margins(left: 0, right: 0.45, bottom: 0.08, top: 0.08);
            plot.XLabel("seconds (median of " + report.Options.Runs.ToString(CultureInfo.InvariantCulture) + ", lower is better)");
            plot.Title(p == 0 ? $"{title} — {dataset}, {report.Machine.Cores} cores" : title);
            plot.Grid.MajorLineColor = Colors.LightGray;
        }

        var height = panels.Sum(x => 110 + 48 * x.Tools.Count);
        multiplot.SavePng(path, 1200, height);
    }
}
