namespace OpenDesign.Workflows.Bench;

/// <summary>One row of the summary table: a measured value against its target.</summary>
internal sealed record TargetRow(string Id, string What, string Measured, string Target, bool? Pass);

/// <summary>What a scenario hands back: its summary rows and the details that explain them.</summary>
internal sealed class ScenarioReport(string title)
{
    public string Title { get; } = title;
    public List<TargetRow> Rows { get; } = [];
    public List<string> Details { get; } = [];
    public TimeSpan Elapsed { get; set; }
    public string LoadAtStart { get; set; } = "unknown";
    public MachineQuiet QuietAtStart { get; set; } = new(0, 0);

    public void Row(string id, string what, string measured, string target, bool? pass) => Rows.Add(new TargetRow(id, what, measured, target, pass));

    public void Detail(string line)
    {
        Details.Add(line);
        Log.Info("  " + line);
    }
}
