namespace OpenDesign.Workflows.Cli;

/// <summary>
/// The one bearer credential od sends, chosen once per process and attached to every request.
/// </summary>
/// <remarks>
/// Fail-closed rule: when <c>OD_TOOL_TOKEN</c> is present the process is an agent inside a run, so the tool
/// token is the only credential it may use, even if it is empty or the service rejects it. It never falls
/// back to <c>OD_API_TOKEN</c> or to no credential, because that would let an agent escape its run's policy.
/// </remarks>
internal sealed record Credentials(string? BearerToken, bool InRun, string Source)
{
    public const string ToolTokenVariable = "OD_TOOL_TOKEN";
    public const string ApiTokenVariable = "OD_API_TOKEN";

    public static Credentials FromEnvironment()
    {
        var tool = Environment.GetEnvironmentVariable(ToolTokenVariable);
        if (tool is not null)
        {
            // Trimmed because token files often end in a newline, which is not a legal header character.
            var token = tool.Trim();
            return new Credentials(token.Length > 0 ? token : null, InRun: true, ToolTokenVariable);
        }

        var api = Environment.GetEnvironmentVariable(ApiTokenVariable)?.Trim();
        return new Credentials(string.IsNullOrEmpty(api) ? null : api, InRun: false, ApiTokenVariable);
    }
}
