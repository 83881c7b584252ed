namespace OpenDesign.Workflows.Cli.Output;

/// <summary>"name  value" lines for one resource, aligned, skipping values the service left out.</summary>
internal sealed class Fields
{
    private readonly List<(string Name, string Value)> lines = [];

    public Fields Add(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            lines.Add((name, value));
        }

        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var width = lines.Count == 0 ? 0 : lines.Max(l => l.Name.Length);
        foreach (var (name, value) in lines)
        {
            writer.WriteLine($"  {name.PadRight(width)}  {value}");
        }
    }
}
