namespace OpenDesign.Workflows.Cli.Output;

/// <summary>Left-aligned columns for people; programs use <c>--json</c> instead of parsing these.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public void Add(params string?[] cells) => rows.Add([.. cells.Select(c => string.IsNullOrEmpty(c) ? "-" : c)]);

    public void WriteTo(TextWriter writer)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        WriteRow(writer, headers, widths);
        foreach (var row in rows)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths)
    {
        var last = cells.Length - 1;
        var line = string.Join("  ", cells.Select((c, i) => i == last ? c : c.PadRight(widths[i])));
        writer.WriteLine(line);
    }
}
