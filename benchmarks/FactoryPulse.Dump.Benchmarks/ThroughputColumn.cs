using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FactoryPulse.Dump.Benchmarks;

/// <summary>Every benchmark in <see cref="DataPathBenchmarks"/> and <see cref="CopyOutPipelineBenchmarks"/> processes the whole synthetic stream once per op.</summary>
internal sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new ThroughputColumn());
        AddColumn(new StreamSizeColumn());
    }
}

/// <summary>MB/s (10^6 bytes per second) = stream bytes / mean time per op.</summary>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Throughput over the synthetic binary COPY stream, in 10^6 bytes per second (stream bytes / Mean)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0)
            return "NA";
        var mbPerSecond = SyntheticCopyStream.Length / (meanNs.Value / 1e9) / 1e6;
        return mbPerSecond.ToString("N0", style.CultureInfo);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

/// <summary>Size of the stream each op processes, so MB/s can be checked by hand.</summary>
internal sealed class StreamSizeColumn : IColumn
{
    public string Id => nameof(StreamSizeColumn);
    public string ColumnName => "Stream";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Size;
    public string Legend => $"Bytes of binary COPY data processed per op ({SyntheticCopyStream.Rows:N0} rows x {SyntheticCopyStream.FieldsPerRow} fields)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        (SyntheticCopyStream.Length / 1e6).ToString("N1", style.CultureInfo) + " MB";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
